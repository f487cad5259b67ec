// Owns every PostgreSQL write to comments: status transitions keep reply/comment counts and the per-article
// event log true inside the caller's transaction. Each write locks its article row before it touches counts
// or the seq, so writes to one article commit one after another (as SQLite's single writer does) and seqs
// follow commit order. Locks are mostly taken article first (a post's batch locks its article before anything,
// pg.comments.ts, to see a merge or close); a rare deadlock elsewhere is broken by PostgreSQL and retried (pg.pool.ts).
import type { ArticleEventType, CommentChange, CommentRow, CommentStatus, NewComment, StatusChange, WriteResult } from '../rows';
import type { Q } from './pg.pool';

export const commentColumns = (a = 'c') => `${a}.id, ${a}.article_id AS "articleId", ${a}.parent_id AS "parentId",
  ${a}.root_id AS "rootId", ${a}.depth, ${a}.author_id AS "authorId", ${a}.author_name AS "authorName",
  ${a}.reply_to_name AS "replyToName", ${a}.body, ${a}.html, ${a}.status, ${a}.created_at AS "createdAt",
  ${a}.edited_at AS "editedAt", ${a}.deleted_at AS "deletedAt", ${a}.likes, ${a}.reply_count AS "replyCount",
  ${a}.ip_hash AS "ipHash", ${a}.pinned_at AS "pinnedAt", ${a}.held_reason AS "heldReason",
  ${a}.report_count AS "reportCount", ${a}.reports_open AS "reportsOpen", ${a}.moderated_at AS "moderatedAt",
  ${a}.moderated_by AS "moderatedBy", ${a}.moderation_note AS "moderationNote", ${a}.staff, ${a}.verified_site_id AS "verifiedSiteId", ${a}.verified_avatar AS "verifiedAvatar",
  ${a}.featured_at AS "featuredAt", ${a}.reactions AS "reactionCounts", ${a}.score`;

/** Published, or a placeholder kept for its replies (the same rule as comments.writer.ts on SQLite). */
export const isPubliclyVisible = (c: Pick<CommentRow, 'status' | 'replyCount'>) => c.status === 'published' || c.replyCount > 0;

const ANCESTORS = `WITH RECURSIVE anc(id) AS (
    SELECT $1::bigint
    UNION ALL
    SELECT p.parent_id FROM comments p JOIN anc ON p.id = anc.id WHERE p.parent_id IS NOT NULL
  )`;

export const SQL = {
  byId: `SELECT ${commentColumns()} FROM comments c WHERE c.id = $1`,
  articleOf: `SELECT article_id AS "articleId" FROM comments WHERE id = $1`,
  // NO KEY UPDATE: the same lock UPDATE articles takes; it does not block the KEY SHARE lock that a
  // comment INSERT's foreign-key check takes, so a post inserts its row before it queues for the article.
  lockArticle: `SELECT id FROM articles WHERE id = $1 FOR NO KEY UPDATE`,
  /** Bumps the seq and logs the event in one statement; answers the seq and the article's count. */
  logChange: `WITH s AS (UPDATE articles SET seq = seq + 1 WHERE id = $1 RETURNING seq, comment_count),
      e AS (INSERT INTO article_events (article_id, seq, type, comment_id, created_at) SELECT $1, s.seq, $2, $3, $4 FROM s)
    SELECT seq, comment_count AS "commentCount" FROM s`,
  /** A top-level comment's whole article-side write in one statement: counts, seq, event, author count. */
  logTopLevel: `WITH s AS (UPDATE articles SET seq = seq + 1, comment_count = comment_count + $2 WHERE id = $1 RETURNING seq, comment_count),
      e AS (INSERT INTO article_events (article_id, seq, type, comment_id, created_at) SELECT $1, s.seq, 'created', $3, $4 FROM s),
      u AS (UPDATE authors SET published_count = published_count + $2 WHERE id = $5 AND $2 <> 0)
    SELECT seq, comment_count AS "commentCount" FROM s`,
};

export async function getComment(q: Q, id: number): Promise<CommentRow | undefined> {
  return (await q<CommentRow>(SQL.byId, [id]))[0];
}

/** Locks the comment's article for this transaction; answers the article id (undefined: no such comment). */
export async function lockArticleOf(q: Q, commentId: number): Promise<number | undefined> {
  const row = (await q<{ articleId: number }>(SQL.articleOf, [commentId]))[0];
  if (row) await q(SQL.lockArticle, [row.articleId]);
  return row?.articleId;
}

export async function logChange(q: Q, articleId: number, type: ArticleEventType, commentId: number | null, at: number) {
  return (await q<{ seq: number; commentCount: number }>(SQL.logChange, [articleId, type, commentId, at]))[0];
}

function typeFor(before: Pick<CommentRow, 'status' | 'replyCount'> | null, after: CommentRow): ArticleEventType {
  if (before === null) return 'created';
  const was = isPubliclyVisible(before);
  const is = isPubliclyVisible(after);
  if (is && !was) return 'created';
  if (!is && was) return 'removed';
  return 'updated';
}

/** As comments.writer.ts shiftCounts: counts move by delta; placeholders that appear or vanish are logged. */
async function shiftCounts(q: Q, row: CommentRow, delta: number, at: number): Promise<CommentChange[]> {
  if (delta === 0) return [];
  await q(`UPDATE articles SET comment_count = comment_count + $1 WHERE id = $2`, [delta, row.articleId]);
  await q(`UPDATE authors SET published_count = published_count + $1 WHERE id = $2`, [delta, row.authorId]);
  if (row.parentId === null) return [];
  const before = await q<CommentRow>(`${ANCESTORS} SELECT ${commentColumns()} FROM comments c WHERE c.id IN (SELECT id FROM anc) ORDER BY c.depth`, [row.parentId]);
  await q(`${ANCESTORS} UPDATE comments SET reply_count = reply_count + $2 WHERE id IN (SELECT id FROM anc)`, [row.parentId, delta]);
  const flipped: CommentChange[] = [];
  for (const a of delta > 0 ? before : [...before].reverse()) {
    if (a.status === 'published') continue;
    const after = { ...a, replyCount: a.replyCount + delta };
    if (isPubliclyVisible(a) === isPubliclyVisible(after)) continue;
    const type = typeFor(a, after);
    flipped.push({ seq: (await logChange(q, a.articleId, type, a.id, at)).seq, type, comment: after });
  }
  return flipped;
}

async function applyTransition(q: Q, before: CommentRow, after: CommentRow, at: number): Promise<WriteResult> {
  const delta = (after.status === 'published' ? 1 : 0) - (before.status === 'published' ? 1 : 0);
  const type = typeFor(before, after);
  if (delta > 0) {
    const ancestors = await shiftCounts(q, after, delta, at);
    const logged = await logChange(q, after.articleId, type, after.id, at);
    return { ancestors, change: { seq: logged.seq, type, comment: after }, commentCount: logged.commentCount };
  }
  const logged = await logChange(q, after.articleId, type, after.id, at);
  const ancestors = await shiftCounts(q, after, delta, at);
  return { change: { seq: logged.seq, type, comment: after }, ancestors, commentCount: logged.commentCount + delta };
}

/**
 * The author and the comment row are written before the article is locked; the article lock is held only
 * for the counts, the seq and the event (one statement for a top-level comment), then the commit. Posts
 * to one article queue on that lock, so the less they do under it, the more posts per second.
 */
export async function insertComment(q: Q, c: NewComment): Promise<WriteResult & { authorId: number }> {
  if (c.parent === null) return insertTopLevel(q, c);
  let authorId = c.authorId;
  if (authorId === null) {
    if (!c.newAuthorTokenHash) throw new Error('insert needs an author id or a new author token hash');
    // ON CONFLICT: two first posts racing with the same fresh cookie land on one author.
    authorId = (await q<{ id: number }>(`INSERT INTO authors (token_hash, created_at, last_ip_hash) VALUES ($1, $2, $3)
      ON CONFLICT (token_hash) DO UPDATE SET last_ip_hash = EXCLUDED.last_ip_hash RETURNING id`, [c.newAuthorTokenHash, c.createdAt, c.ipHash]))[0].id;
  } else if (c.ipHash) {
    await q(`UPDATE authors SET last_ip_hash = $1 WHERE id = $2`, [c.ipHash, authorId]);
  }
  const p = c.parent;
  const [row] = await q<CommentRow>(
    `INSERT INTO comments AS c (article_id, parent_id, root_id, depth, author_id, author_name, reply_to_name, body, html, status, created_at, ip_hash, held_reason, staff, verified_site_id, verified_avatar)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${commentColumns()}`,
    [c.articleId, p ? p.id : null, p ? (p.rootId ?? p.id) : null, p ? p.depth + 1 : 0, authorId, c.authorName, p ? p.authorName : null,
      c.body, c.html, c.status, c.createdAt, c.ipHash, c.status === 'pending' ? c.heldReason : null, c.staff ?? null, c.verifiedSiteId ?? null, c.verifiedAvatar ?? null],
  );
  const delta = c.status === 'published' ? 1 : 0;
  await q(SQL.lockArticle, [c.articleId]);
  const ancestors = delta ? await shiftCounts(q, row, 1, c.createdAt) : [];
  const logged = await logChange(q, row.articleId, 'created', row.id, c.createdAt);
  return { change: { seq: logged.seq, type: 'created', comment: row }, ancestors, authorId, commentCount: logged.commentCount };
}

/**
 * A top-level comment in one statement (one round trip, which is what a post waits for in its article's
 * batch): the author row (made, or its last address noted) and its published count, the comment, the
 * article's count and seq, the event. A new author is inserted with its count; a token that raced in
 * first (ON CONFLICT) has its count raised instead.
 */
const INSERT_TOP_LEVEL = `WITH na AS (
    INSERT INTO authors (token_hash, created_at, last_ip_hash, published_count)
      SELECT $2, $8, $9, $11 WHERE $1::bigint IS NULL
    ON CONFLICT (token_hash) DO UPDATE SET last_ip_hash = EXCLUDED.last_ip_hash, published_count = authors.published_count + EXCLUDED.published_count
    RETURNING id),
  ea AS (
    UPDATE authors SET last_ip_hash = COALESCE($9, last_ip_hash), published_count = published_count + $11
    WHERE id = $1::bigint RETURNING id),
  a AS (SELECT id FROM na UNION ALL SELECT id FROM ea),
  c AS (
    INSERT INTO comments (article_id, parent_id, root_id, depth, author_id, author_name, reply_to_name, body, html, status, created_at, ip_hash, held_reason, staff, verified_site_id, verified_avatar)
      SELECT $3, NULL, NULL, 0, a.id, $4, NULL, $5, $6, $7, $8, $9, $10, $12::text, $13::bigint, $14::text FROM a
    RETURNING *),
  s AS (UPDATE articles SET seq = seq + 1, comment_count = comment_count + $11 WHERE id = $3 AND EXISTS (SELECT 1 FROM c) RETURNING seq, comment_count),
  e AS (INSERT INTO article_events (article_id, seq, type, comment_id, created_at) SELECT $3, s.seq, 'created', c.id, $8 FROM s, c)
  SELECT ${commentColumns()}, s.seq AS "_seq", s.comment_count AS "_commentCount" FROM c, s`;

async function insertTopLevel(q: Q, c: NewComment): Promise<WriteResult & { authorId: number }> {
  if (c.authorId === null && !c.newAuthorTokenHash) throw new Error('insert needs an author id or a new author token hash');
  const delta = c.status === 'published' ? 1 : 0;
  const [r] = await q<CommentRow & { _seq: number; _commentCount: number }>(INSERT_TOP_LEVEL, [
    c.authorId, c.authorId === null ? c.newAuthorTokenHash : null, c.articleId, c.authorName, c.body, c.html, c.status,
    c.createdAt, c.ipHash, c.status === 'pending' ? c.heldReason : null, delta, c.staff ?? null, c.verifiedSiteId ?? null, c.verifiedAvatar ?? null,
  ]);
  // As the foreign key would answer (class 23: the other posts of its batch still go in).
  if (!r) throw Object.assign(new Error(`author ${c.authorId} not found`), { code: '23503' });
  const { _seq: seq, _commentCount: commentCount, ...row } = r;
  return { change: { seq, type: 'created', comment: row }, ancestors: [], authorId: row.authorId, commentCount };
}

/**
 * Several top-level comments to one article in one statement: what insertTopLevel does for each, in input
 * order. Ids are drawn in input order, the article's seq moves by the number of comments and event n gets
 * the n-th new seq; two first posts with one fresh token land on one author. Any error fails them all
 * (the caller then runs them one by one).
 */
const INSERT_TOP_LEVEL_MANY = `WITH i AS MATERIALIZED (
    SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::int[])
      WITH ORDINALITY AS t(author_id, token_hash, author_name, body, html, status, created_at, ip_hash, held_reason, delta, n)),
  na AS (
    INSERT INTO authors (token_hash, created_at, last_ip_hash, published_count)
      SELECT token_hash, min(created_at), (array_agg(ip_hash ORDER BY n DESC))[1], sum(delta) FROM i WHERE author_id IS NULL GROUP BY token_hash
    ON CONFLICT (token_hash) DO UPDATE SET last_ip_hash = EXCLUDED.last_ip_hash, published_count = authors.published_count + EXCLUDED.published_count
    RETURNING id, token_hash),
  ea AS (
    UPDATE authors AS x SET last_ip_hash = COALESCE(y.ip, x.last_ip_hash), published_count = x.published_count + y.d
    FROM (SELECT author_id, (array_agg(ip_hash ORDER BY n DESC))[1] AS ip, sum(delta) AS d FROM i WHERE author_id IS NOT NULL GROUP BY author_id) y
    WHERE x.id = y.author_id RETURNING x.id),
  ids AS MATERIALIZED (SELECT o.n, nextval(pg_get_serial_sequence('comments', 'id')) AS id FROM (SELECT n FROM i ORDER BY n OFFSET 0) o),
  c AS (
    INSERT INTO comments (id, article_id, parent_id, root_id, depth, author_id, author_name, reply_to_name, body, html, status, created_at, ip_hash, held_reason)
      SELECT ids.id, $1, NULL, NULL, 0, COALESCE(i.author_id, na.id), i.author_name, NULL, i.body, i.html, i.status, i.created_at, i.ip_hash, i.held_reason
      FROM i JOIN ids ON ids.n = i.n LEFT JOIN na ON na.token_hash = i.token_hash
    RETURNING *),
  s AS (
    UPDATE articles SET seq = seq + (SELECT count(*) FROM i), comment_count = comment_count + (SELECT sum(delta) FROM i)
    WHERE id = $1 RETURNING seq, comment_count),
  e AS (
    INSERT INTO article_events (article_id, seq, type, comment_id, created_at)
      SELECT $1, s.seq - (SELECT count(*) FROM i) + i.n, 'created', ids.id, i.created_at FROM s, i JOIN ids ON ids.n = i.n)
  SELECT ${commentColumns()}, s.seq - (SELECT count(*) FROM i) + ids.n AS "_seq",
    s.comment_count - (SELECT COALESCE(sum(l.delta), 0) FROM i l WHERE l.n > ids.n) AS "_commentCount"
  FROM c JOIN ids ON ids.id = c.id, s ORDER BY ids.n`;

/**
 * Slow mode in the write: for the posts that carry slowModeMs, a transaction-level advisory lock per (article,
 * author), taken in author order, then each author's latest comment in the article, read after the lock (so a
 * post committed by another node meanwhile is seen). Answers the refused posts with that time; a later post of
 * the same author in the same batch is checked against the earlier one. Posts without slowModeMs cost nothing.
 */
export async function slowModeRefusals(q: Q, articleId: number, list: NewComment[]): Promise<Map<NewComment, number>> {
  const refused = new Map<NewComment, number>();
  const slow = list.filter((c) => c.slowModeMs && c.authorId !== null);
  if (!slow.length) return refused;
  const authors = [...new Set(slow.map((c) => c.authorId!))].sort((a, b) => a - b);
  await q(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':slow:' || $1 || ':' || s.id)) FROM (SELECT id FROM unnest($2::bigint[]) u(id) ORDER BY id) s`, [articleId, authors]);
  const rows = await q<{ authorId: number; last: number }>(
    `SELECT author_id AS "authorId", MAX(created_at) AS last FROM comments WHERE article_id = $1 AND author_id = ANY($2::bigint[]) GROUP BY author_id`,
    [articleId, authors],
  );
  const last = new Map(rows.map((r) => [r.authorId, r.last]));
  for (const c of slow) {
    const at = last.get(c.authorId!);
    if (at !== undefined && at + c.slowModeMs! > c.createdAt) refused.set(c, at);
    else last.set(c.authorId!, Math.max(at ?? 0, c.createdAt));
  }
  return refused;
}

/** Top-level comments to one article (articleId the same for all), in one statement; answers in input order. */
export async function insertTopLevelMany(q: Q, articleId: number, list: NewComment[]): Promise<(WriteResult & { authorId: number })[]> {
  if (list.some((c) => c.parent !== null || c.articleId !== articleId || (c.authorId === null && !c.newAuthorTokenHash))) throw new Error('insertTopLevelMany takes top-level comments to one article, each with an author');
  const col = <T>(f: (c: NewComment) => T) => list.map(f);
  const rows = await q<CommentRow & { _seq: number; _commentCount: number }>(INSERT_TOP_LEVEL_MANY, [
    articleId,
    col((c) => c.authorId),
    col((c) => (c.authorId === null ? c.newAuthorTokenHash! : null)),
    col((c) => c.authorName),
    col((c) => c.body),
    col((c) => c.html),
    col((c) => c.status),
    col((c) => c.createdAt),
    col((c) => c.ipHash),
    col((c) => (c.status === 'pending' ? c.heldReason : null)),
    col((c) => (c.status === 'published' ? 1 : 0)),
  ]);
  // As the foreign key would answer: an author id that does not exist.
  if (rows.length !== list.length) throw Object.assign(new Error('an author of the batch was not found'), { code: '23503' });
  return rows.map(({ _seq: seq, _commentCount: commentCount, ...row }) => ({ change: { seq, type: 'created' as const, comment: row }, ancestors: [], authorId: row.authorId, commentCount }));
}

/** The status change of comments.writer.ts setStatus; the caller's transaction has locked the article. */
export async function setStatusLocked(q: Q, id: number, s: StatusChange): Promise<WriteResult> {
  const before = await getComment(q, id);
  if (!before) throw new Error(`comment ${id} not found`);
  const [after] = await q<CommentRow>(
    `UPDATE comments AS c SET status = $2,
      deleted_at = CASE WHEN $2 = 'deleted' THEN $3 ELSE deleted_at END,
      held_reason = CASE WHEN $2 = 'pending' THEN $4 ELSE NULL END,
      moderated_at = CASE WHEN $5::bigint IS NOT NULL THEN $3 ELSE moderated_at END,
      moderated_by = COALESCE($5, moderated_by),
      moderation_note = CASE WHEN $5::bigint IS NOT NULL THEN $6 ELSE moderation_note END,
      reports_open = CASE WHEN $7 THEN 0 ELSE reports_open END,
      pinned_at = CASE WHEN $2 = 'published' THEN pinned_at ELSE NULL END
    WHERE id = $1 RETURNING ${commentColumns()}`,
    [id, s.status, s.at, s.heldReason ?? null, s.moderatorId ?? null, s.note ?? null, s.resolveReports === true],
  );
  if (s.resolveReports) await q(`UPDATE reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL`, [s.at, id]);
  return applyTransition(q, before, after, s.at);
}

export async function setStatus(q: Q, id: number, s: StatusChange): Promise<WriteResult> {
  if ((await lockArticleOf(q, id)) === undefined) throw new Error(`comment ${id} not found`);
  return setStatusLocked(q, id, s);
}

export async function updateBody(q: Q, id: number, u: { body: string; html: string; editedAt: number; status: CommentStatus; heldReason: string | null }): Promise<WriteResult> {
  if ((await lockArticleOf(q, id)) === undefined) throw new Error(`comment ${id} not found`);
  const before = (await getComment(q, id))!;
  await q(`INSERT INTO comment_revisions (comment_id, body, status, replaced_at) SELECT id, body, status, $2 FROM comments WHERE id = $1`, [id, u.editedAt]);
  const [after] = await q<CommentRow>(
    `UPDATE comments AS c SET body = $2, html = $3, edited_at = $4, status = $5, held_reason = $6,
      pinned_at = CASE WHEN $5 = 'published' THEN pinned_at ELSE NULL END
    WHERE id = $1 RETURNING ${commentColumns()}`,
    [id, u.body, u.html, u.editedAt, u.status, u.status === 'pending' ? u.heldReason : null],
  );
  return applyTransition(q, before, after, u.editedAt);
}

export async function setPinned(q: Q, id: number, pinned: boolean, at: number): Promise<WriteResult> {
  if ((await lockArticleOf(q, id)) === undefined) throw new Error(`comment ${id} not found`);
  const [row] = await q<CommentRow>(`UPDATE comments AS c SET pinned_at = $2 WHERE id = $1 RETURNING ${commentColumns()}`, [id, pinned ? at : null]);
  const logged = await logChange(q, row.articleId, 'updated', id, at);
  return { change: { seq: logged.seq, type: 'updated', comment: row }, ancestors: [], commentCount: logged.commentCount };
}

export async function setFeatured(q: Q, id: number, featured: boolean, at: number): Promise<WriteResult> {
  if ((await lockArticleOf(q, id)) === undefined) throw new Error(`comment ${id} not found`);
  const [row] = await q<CommentRow>(`UPDATE comments AS c SET featured_at = $2 WHERE id = $1 RETURNING ${commentColumns()}`, [id, featured ? at : null]);
  const logged = await logChange(q, row.articleId, 'updated', id, at);
  return { change: { seq: logged.seq, type: 'updated', comment: row }, ancestors: [], commentCount: logged.commentCount };
}
