// Owns the PostgreSQL comments repo: keyset pages on the same partial indexes as SQLite, likes with their
// per-network cap checked under the article lock, the event log. Writes run in pg.writer.ts.
import type pg from 'pg';
import { SlowModeConflict, ThreadClosedConflict, type ArticleEvent, type CommentRevision, type CommentRow, type CommentsRepo, type LikeResult, type NewComment } from '../rows';
import { retried, transaction, type Q } from './pg.pool';
import * as writer from './pg.writer';
import { recordOutbox, recordOutboxMany } from './pg.notify';
import { createPgHeatMethods } from './pg.heat';

const cols = writer.commentColumns();

/** Who may see a row ($v: the viewer's author id, -1 for none). */
const visible = (a: string, v: string) => `(${a}.status = 'published'
  OR (${a}.status IN ('deleted', 'rejected', 'pending') AND ${a}.reply_count > 0)
  OR (${a}.status = 'pending' AND ${a}.author_id = ${v}))`;

export const COMMENTS_SQL = {
  newest: `SELECT ${cols} FROM comments c
    WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id < $2 AND ${visible('c', '$4')}
    ORDER BY c.id DESC LIMIT $3`,
  oldest: `SELECT ${cols} FROM comments c
    WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id > $2 AND ${visible('c', '$4')}
    ORDER BY c.id ASC LIMIT $3`,
  top: `SELECT ${cols} FROM comments c
    WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.pinned_at IS NULL AND (c.score, c.id) < ($5::bigint, $2::bigint) AND ${visible('c', '$4')}
    ORDER BY c.score DESC, c.id DESC LIMIT $3`,
  count: {
    newest: `SELECT COUNT(*)::int AS n FROM comments c
      WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id < $2 AND ${visible('c', '$3')}`,
    oldest: `SELECT COUNT(*)::int AS n FROM comments c
      WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id > $2 AND ${visible('c', '$3')}`,
    top: `SELECT COUNT(*)::int AS n FROM comments c
      WHERE c.article_id = $1 AND c.parent_id IS NULL AND c.pinned_at IS NULL AND (c.score, c.id) < ($4::bigint, $2::bigint) AND ${visible('c', '$3')}`,
  },
  pinned: `SELECT ${cols} FROM comments c
    WHERE c.article_id = $1 AND c.pinned_at IS NOT NULL AND ${visible('c', '$2')} ORDER BY c.pinned_at DESC`,
  firstReplies: `SELECT ${cols} FROM unnest($1::bigint[]) r(id) CROSS JOIN LATERAL (
      SELECT x.* FROM comments x WHERE x.root_id = r.id AND ${visible('x', '$3')} ORDER BY x.id LIMIT $2) c
    ORDER BY c.root_id, c.id`,
  replies: `SELECT ${cols} FROM comments c
    WHERE c.root_id = $1 AND c.id > $2 AND ${visible('c', '$4')} ORDER BY c.id LIMIT $3`,
  liked: `SELECT comment_id AS id FROM reactions WHERE author_id = $1 AND comment_id = ANY($2::bigint[]) AND kind = 'like'`,
  events: `SELECT article_id AS "articleId", seq, type, comment_id AS "commentId", created_at AS "createdAt"
    FROM article_events WHERE article_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  many: `SELECT ${cols} FROM unnest($1::bigint[]) WITH ORDINALITY j(id, n) JOIN comments c ON c.id = j.id ORDER BY j.n`,
  byAuthor: `SELECT ${cols} FROM comments c WHERE c.author_id = $1 AND c.created_at >= $2 ORDER BY c.created_at DESC LIMIT $3`,
  findLike: `SELECT 1 AS one FROM reactions WHERE comment_id = $1 AND author_id = $2 AND kind = 'like'`,
  networkLikes: `SELECT created_at AS t FROM reactions WHERE comment_id = $1 AND ip_hash = $2 AND kind = 'like' AND created_at > $3 ORDER BY created_at`,
  revisions: `SELECT "commentId", body, status, "replacedAt" FROM (
      SELECT r.comment_id AS "commentId", r.body, r.status, r.replaced_at AS "replacedAt", r.id,
        ROW_NUMBER() OVER (PARTITION BY r.comment_id ORDER BY r.id DESC) AS n
      FROM comment_revisions r WHERE r.comment_id = ANY($1::bigint[])) t
    WHERE n <= $2 ORDER BY "commentId", id DESC`,
};

interface InsertJob {
  c: NewComment;
  resolve(v: InsertResult): void;
  reject(e: unknown): void;
}
type InsertResult = Awaited<ReturnType<typeof writer.insertComment>>;

/** A data or constraint error of one post (class 22, 23): the others of its batch may still commit. */
const isRowError = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/**
 * Group commit per article, as SQLite's write batch (write-batch.ts): one article's posts run one batch at
 * a time in this process, and the posts that arrive while a batch commits make up the next one: one
 * transaction, one COMMIT (one WAL flush) for all of them. They would queue on the article's row lock
 * anyway; queued here they wait without holding a pool connection, which the reads of every other request
 * need. Every caller hears back only after the commit that stored its post. Should one post of a batch
 * fail on its own data, the batch rolls back and its posts run again one transaction each, so one bad post
 * never fails the others.
 */
/**
 * Locks the article row (as the seq bump below would, only first) and refuses the batch when the thread was
 * merged or closed: a merge holds this lock until it commits, so a post racing it waits here and then sees it.
 */
async function requireOpenThread(t: Q, articleId: number): Promise<void> {
  const [a] = await t<{ closed: boolean; mergedInto: string | null }>(`SELECT a.comments_closed AS closed,
      (SELECT slug FROM articles m WHERE m.id = a.merged_into) AS "mergedInto"
    FROM articles a WHERE a.id = $1 FOR NO KEY UPDATE`, [articleId]);
  if (a?.mergedInto) throw new ThreadClosedConflict('merged', a.mergedInto);
  if (a?.closed) throw new ThreadClosedConflict('closed');
}

function createInsertBatcher(pool: pg.Pool, q: Q, maxBatch = 100) {
  const waiting = new Map<number, InsertJob[]>();
  // Each post's notifications (notify/) go into the outbox in the transaction that stores the post.
  const one = (c: NewComment) =>
    transaction(pool, async (t) => {
      await requireOpenThread(t, c.articleId);
      const refused = await writer.slowModeRefusals(t, c.articleId, [c]);
      if (refused.has(c)) throw new SlowModeConflict(refused.get(c)!);
      const result = await writer.insertComment(t, c);
      await recordOutboxMany(t, [{ op: 'insert', result, at: c.createdAt }]);
      return result;
    });
  const write = async (articleId: number, all: NewComment[]): Promise<(InsertResult | SlowModeConflict)[]> =>
    // One transaction: slow mode first (posts it refuses are left out), the top-level posts in one statement,
    // then each reply, then the outbox rows of all. Staff and SSO posts carry columns the many-row statement
    // does not write: they go one by one.
    transaction(pool, async (t) => {
      await requireOpenThread(t, articleId);
      const refused = await writer.slowModeRefusals(t, articleId, all);
      const list = refused.size ? all.filter((c) => !refused.has(c)) : all;
      const top = list.filter((c) => c.parent === null && !c.staff && c.verifiedSiteId == null);
      const out = new Map<NewComment, InsertResult>();
      if (top.length > 1) (await writer.insertTopLevelMany(t, articleId, top)).forEach((r, i) => out.set(top[i], r));
      else if (top.length) out.set(top[0], await writer.insertComment(t, top[0]));
      for (const c of list) if (!out.has(c)) out.set(c, await writer.insertComment(t, c));
      const results = list.map((c) => out.get(c)!);
      if (results.length) await recordOutboxMany(t, results.map((result, i) => ({ op: 'insert' as const, result, at: list[i].createdAt })));
      return all.map((c) => (refused.has(c) ? new SlowModeConflict(refused.get(c)!) : out.get(c)!));
    });
  const drain = async (articleId: number) => {
    for (;;) {
      const queue = waiting.get(articleId)!;
      const jobs = queue.splice(0, maxBatch);
      if (!jobs.length) return void waiting.delete(articleId);
      try {
        const results = await write(articleId, jobs.map((j) => j.c));
        jobs.forEach((j, i) => {
          const r = results[i];
          if (r instanceof SlowModeConflict) j.reject(r);
          else j.resolve(r);
        });
      } catch (err) {
        if (jobs.length === 1 || !isRowError(err)) for (const j of jobs) j.reject(err);
        else for (const j of jobs) await one(j.c).then(j.resolve, j.reject);
      }
    }
  };
  return (c: NewComment) =>
    new Promise<InsertResult>((resolve, reject) => {
      const queue = waiting.get(c.articleId);
      if (queue) return void queue.push({ c, resolve, reject });
      waiting.set(c.articleId, [{ c, resolve, reject }]);
      void drain(c.articleId);
    });
}

export function createPgCommentsRepo(pool: pg.Pool, q: Q): CommentsRepo {
  const S = COMMENTS_SQL;
  const insert = createInsertBatcher(pool, q);
  const viewer = (id: number | null) => id ?? -1;
  const tx = <T>(fn: (t: Q) => Promise<T>) => transaction(pool, fn);

  return {
    ...createPgHeatMethods(pool, q),
    get: (id) => writer.getComment(q, id),
    hasPending: async (articleId, authorId) =>
      (await q(`SELECT 1 AS one FROM comments WHERE author_id = $1 AND article_id = $2 AND status = 'pending' LIMIT 1`, [authorId, articleId])).length > 0,
    // Notifications are recorded in the same transaction as the write that causes them (notify/).
    insert: (c) => insert(c),
    updateBody: (id, u) =>
      tx(async (t) => {
        const result = await writer.updateBody(t, id, u);
        await recordOutbox(t, { op: 'edit', result, at: u.editedAt });
        return result;
      }),
    setStatus: (id, s) =>
      tx(async (t) => {
        const result = await writer.setStatus(t, id, s);
        await recordOutbox(t, { op: 'status', result, at: s.at });
        return result;
      }),
    setPinned: (id, pinned, at) => tx((t) => writer.setPinned(t, id, pinned, at)),
    listTopLevel: async (qy) => {
      const afterId = qy.after?.id ?? (qy.sort === 'oldest' ? 0 : Number.MAX_SAFE_INTEGER);
      const params: unknown[] = [qy.articleId, afterId, qy.limit, viewer(qy.viewerAuthorId)];
      if (qy.sort === 'top') params.push(qy.after?.likes ?? Number.MAX_SAFE_INTEGER);
      return q<CommentRow>(S[qy.sort], params);
    },
    countTopLevel: async (qy) => {
      const afterId = qy.after?.id ?? (qy.sort === 'oldest' ? 0 : Number.MAX_SAFE_INTEGER);
      const params: unknown[] = [qy.articleId, afterId, viewer(qy.viewerAuthorId)];
      if (qy.sort === 'top') params.push(qy.after?.likes ?? Number.MAX_SAFE_INTEGER);
      return (await q<{ n: number }>(S.count[qy.sort], params))[0].n;
    },
    listPinned: (articleId, v) => q<CommentRow>(S.pinned, [articleId, viewer(v)]),
    listFirstReplies: async (roots, per, v) => (roots.length ? q<CommentRow>(S.firstReplies, [roots, per, viewer(v)]) : []),
    listReplies: (rootId, afterId, limit, v) => q<CommentRow>(S.replies, [rootId, afterId, limit, viewer(v)]),
    likedBy: async (authorId, ids) => new Set(ids.length ? (await q<{ id: number }>(S.liked, [authorId, ids])).map((r) => r.id) : []),
    toggleLike: (commentId, authorId, at, cap) =>
      tx(async (t): Promise<LikeResult> => {
        // The article lock makes the cap hold for likes sent all at once, as SQLite's single writer does.
        const articleId = await writer.lockArticleOf(t, commentId);
        if (articleId === undefined) throw new Error(`comment ${commentId} not found`);
        const had = (await t(S.findLike, [commentId, authorId])).length > 0;
        if (!had && cap?.ipHash) {
          const times = (await t<{ t: number }>(S.networkLikes, [commentId, cap.ipHash, at - cap.windowMs])).map((r) => r.t);
          if (times.length >= cap.limit) return { capped: { retryAt: times[times.length - cap.limit] + cap.windowMs } };
        }
        if (had) await t(`DELETE FROM reactions WHERE comment_id = $1 AND author_id = $2 AND kind = 'like'`, [commentId, authorId]);
        else await t(`INSERT INTO reactions (comment_id, author_id, kind, created_at, ip_hash) VALUES ($1, $2, 'like', $3, $4)`, [commentId, authorId, at, cap?.ipHash ?? null]);
        const [r] = await t<{ likes: number }>(`UPDATE comments SET likes = likes + $1, score = score + $1 WHERE id = $2 RETURNING likes`, [had ? -1 : 1, commentId]);
        const { seq } = await writer.logChange(t, articleId, 'reaction', commentId, at);
        return { liked: !had, likes: r.likes, seq };
      }),
    eventsSince: (articleId, since, limit) => q<ArticleEvent>(S.events, [articleId, since, limit]),
    getMany: async (ids) => (ids.length ? q<CommentRow>(S.many, [ids]) : []),
    recentByAuthor: (authorId, sinceAt, limit) => q<CommentRow>(S.byAuthor, [authorId, sinceAt, limit]),
    pruneEvents: async (olderThan) =>
      (await q<{ n: number }>(`WITH d AS (DELETE FROM article_events WHERE created_at < $1 RETURNING 1) SELECT COUNT(*) AS n FROM d`, [olderThan]))[0].n,
    revisionsOf: async (ids, per) => (ids.length ? q<CommentRevision>(S.revisions, [ids, per]) : []),
  };
}
