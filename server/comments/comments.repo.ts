// Owns the SQL that reads comments, likes and the article event log (SQLite). Writes go through comments.writer.ts.
import type { Db } from '../db/open';
import type { ArticleEvent, CommentRevision, CommentRow, CommentsRepo, LikeCap, LikeResult, PageQuery } from '../db/store';
import { commentColumns, type CommentWriter } from './comments.writer';
import type { Write } from '../db/write-batch';
import { createOutboxRecorder } from '../notify/notify.repo';
import { createHeatMethods } from '../heat/heat.repo';

/** Who may see a row: everyone for published and placeholders (any other status with replies), the author for their own held comment. */
const visible = (a: string) => `(${a}.status = 'published'
  OR (${a}.status IN ('deleted', 'rejected', 'pending') AND ${a}.reply_count > 0)
  OR (${a}.status = 'pending' AND ${a}.author_id = @viewer))`;

export function createCommentsRepo(db: Db, writer: CommentWriter, write: Write): CommentsRepo {
  const cols = commentColumns();
  // Notifications are recorded in the same transaction as the write that causes them (notify/).
  const outbox = createOutboxRecorder(db);
  const top = {
    newest: db.prepare(`SELECT ${cols} FROM comments c
      WHERE c.article_id = @articleId AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id < @afterId AND ${visible('c')}
      ORDER BY c.id DESC LIMIT @limit`),
    oldest: db.prepare(`SELECT ${cols} FROM comments c
      WHERE c.article_id = @articleId AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id > @afterId AND ${visible('c')}
      ORDER BY c.id ASC LIMIT @limit`),
    top: db.prepare(`SELECT ${cols} FROM comments c
      WHERE c.article_id = @articleId AND c.parent_id IS NULL AND c.pinned_at IS NULL
        AND (c.score, c.id) < (@afterLikes, @afterId) AND ${visible('c')}
      ORDER BY c.score DESC, c.id DESC LIMIT @limit`),
  };
  const count = {
    newest: db.prepare(`SELECT COUNT(*) FROM comments c
      WHERE c.article_id = @articleId AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id < @afterId AND ${visible('c')}`).pluck(),
    oldest: db.prepare(`SELECT COUNT(*) FROM comments c
      WHERE c.article_id = @articleId AND c.parent_id IS NULL AND c.pinned_at IS NULL AND c.id > @afterId AND ${visible('c')}`).pluck(),
    top: db.prepare(`SELECT COUNT(*) FROM comments c
      WHERE c.article_id = @articleId AND c.parent_id IS NULL AND c.pinned_at IS NULL
        AND (c.score, c.id) < (@afterLikes, @afterId) AND ${visible('c')}`).pluck(),
  };
  const pinned = db.prepare(`SELECT ${cols} FROM comments c
    WHERE c.article_id = @articleId AND c.pinned_at IS NOT NULL AND ${visible('c')} ORDER BY c.pinned_at DESC`);
  // One statement for every root: the correlated subquery walks comments_thread per root, LIMIT each.
  const firstReplies = db.prepare(`SELECT ${cols} FROM json_each(@roots) r
    JOIN comments c ON c.id IN (
      SELECT x.id FROM comments x WHERE x.root_id = r.value AND ${visible('x')} ORDER BY x.id LIMIT @perRoot)
    ORDER BY c.root_id, c.id`);
  const replies = db.prepare(`SELECT ${cols} FROM comments c
    WHERE c.root_id = @rootId AND c.id > @afterId AND ${visible('c')} ORDER BY c.id LIMIT @limit`);
  const liked = db.prepare(`SELECT r.comment_id FROM json_each(@ids) j
    JOIN reactions r ON r.author_id = @authorId AND r.comment_id = j.value AND r.kind = 'like'`).pluck();
  // Through the author's own comments (few, rate-limited), not the site's whole pending queue: "+" keeps the
  // planner off comments_status.
  const pendingOf = db.prepare(`SELECT 1 FROM comments WHERE author_id = ? AND article_id = ? AND +status = 'pending' LIMIT 1`).pluck();
  const findLike = db.prepare(`SELECT 1 FROM reactions WHERE comment_id = ? AND author_id = ? AND kind = 'like'`).pluck();
  const addLike = db.prepare(`INSERT INTO reactions (comment_id, author_id, kind, created_at, ip_hash) VALUES (?, ?, 'like', ?, ?)`);
  const networkLikes = db.prepare(`SELECT created_at FROM reactions
    WHERE comment_id = ? AND ip_hash = ? AND kind = 'like' AND created_at > ? ORDER BY created_at`).pluck();
  const dropLike = db.prepare(`DELETE FROM reactions WHERE comment_id = ? AND author_id = ? AND kind = 'like'`);
  const shiftLikes = db.prepare(`UPDATE comments SET likes = likes + @d, score = score + @d WHERE id = @id RETURNING likes, article_id AS articleId`);
  const events = db.prepare(`SELECT article_id AS articleId, seq, type, comment_id AS commentId, created_at AS createdAt
    FROM article_events WHERE article_id = ? AND seq > ? ORDER BY seq LIMIT ?`);
  const many = db.prepare(`SELECT ${cols} FROM json_each(?) j JOIN comments c ON c.id = j.value`);
  const byAuthor = db.prepare(`SELECT ${cols} FROM comments c WHERE c.author_id = ? AND c.created_at >= ? ORDER BY c.created_at DESC LIMIT ?`);
  const prune = db.prepare(`DELETE FROM article_events WHERE created_at < ?`);
  const revisions = db.prepare(`SELECT commentId, body, status, replacedAt FROM (
      SELECT r.comment_id AS commentId, r.body, r.status, r.replaced_at AS replacedAt,
        ROW_NUMBER() OVER (PARTITION BY r.comment_id ORDER BY r.id DESC) AS n, r.id
      FROM json_each(@ids) j JOIN comment_revisions r ON r.comment_id = j.value)
    WHERE n <= @per ORDER BY commentId, id DESC`);

  // The cap is checked inside the transaction, so likes sent all at once cannot all pass it.
  const toggleLike = db.transaction((commentId: number, authorId: number, at: number, cap?: LikeCap): LikeResult => {
    const had = findLike.get(commentId, authorId) === 1;
    if (!had && cap?.ipHash) {
      const times = networkLikes.all(commentId, cap.ipHash, at - cap.windowMs) as number[];
      if (times.length >= cap.limit) return { capped: { retryAt: times[times.length - cap.limit] + cap.windowMs } };
    }
    if (had) dropLike.run(commentId, authorId);
    else addLike.run(commentId, authorId, at, cap?.ipHash ?? null);
    const r = shiftLikes.get({ d: had ? -1 : 1, id: commentId }) as { likes: number; articleId: number };
    const seq = writer.logChange(r.articleId, 'reaction', commentId, at);
    return { liked: !had, likes: r.likes, seq };
  });

  const viewer = (id: number | null) => id ?? -1;
  const recorded = <T>(r: T, note: (r: T) => void): T => (note(r), r);

  return {
    ...createHeatMethods(db, writer, write),
    get: async (id) => writer.get(id),
    insert: (c) =>
      write(() => recorded(writer.insert(c), (result) => outbox.record({ op: 'insert', result, at: c.createdAt }))).catch((err: unknown) => {
        // Rolled back (here or with its whole batch): the network's times are read from the file again.
        writer.networkTimes.forget(c.ipHash);
        throw err;
      }),
    updateBody: (id, u) => write(() => recorded(writer.updateBody(id, u), (result) => outbox.record({ op: 'edit', result, at: u.editedAt }))),
    setStatus: (id, s) => write(() => recorded(writer.setStatus(id, s), (result) => outbox.record({ op: 'status', result, at: s.at }))),
    setPinned: (id, pinned, at) => write(() => writer.setPinned(id, pinned, at)),
    listTopLevel: async (q: PageQuery) => {
      const params = {
        articleId: q.articleId,
        limit: q.limit,
        viewer: viewer(q.viewerAuthorId),
        afterId: q.after?.id ?? (q.sort === 'oldest' ? 0 : Number.MAX_SAFE_INTEGER),
        afterLikes: q.after?.likes ?? Number.MAX_SAFE_INTEGER,
      };
      if (q.sort !== 'top') delete (params as Partial<typeof params>).afterLikes;
      return top[q.sort].all(params) as CommentRow[];
    },
    countTopLevel: async (q) => {
      const params: Record<string, number> = {
        articleId: q.articleId,
        viewer: viewer(q.viewerAuthorId),
        afterId: q.after?.id ?? (q.sort === 'oldest' ? 0 : Number.MAX_SAFE_INTEGER),
      };
      if (q.sort === 'top') params.afterLikes = q.after?.likes ?? Number.MAX_SAFE_INTEGER;
      return count[q.sort].get(params) as number;
    },
    listPinned: async (articleId, viewerId) => pinned.all({ articleId, viewer: viewer(viewerId) }) as CommentRow[],
    listFirstReplies: async (rootIds, perRoot, viewerId) =>
      rootIds.length === 0 ? [] : (firstReplies.all({ roots: JSON.stringify(rootIds), perRoot, viewer: viewer(viewerId) }) as CommentRow[]),
    listReplies: async (rootId, afterId, limit, viewerId) => replies.all({ rootId, afterId, limit, viewer: viewer(viewerId) }) as CommentRow[],
    likedBy: async (authorId, ids) => new Set(ids.length ? (liked.all({ ids: JSON.stringify(ids), authorId }) as number[]) : []),
    hasPending: async (articleId, authorId) => pendingOf.get(authorId, articleId) === 1,
    toggleLike: (commentId, authorId, at, cap) => write(() => toggleLike(commentId, authorId, at, cap)),
    eventsSince: async (articleId, since, limit) => events.all(articleId, since, limit) as ArticleEvent[],
    getMany: async (ids) => (ids.length ? (many.all(JSON.stringify(ids)) as CommentRow[]) : []),
    recentByAuthor: async (authorId, sinceAt, limit) => byAuthor.all(authorId, sinceAt, limit) as CommentRow[],
    pruneEvents: (olderThan) => write(() => prune.run(olderThan).changes),
    revisionsOf: async (ids, per) => (ids.length ? (revisions.all({ ids: JSON.stringify(ids), per }) as CommentRevision[]) : []),
  };
}
