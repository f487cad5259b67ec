// Owns every SQLite write to comments: status transitions keep reply/comment counts and the
// per-article event log true in the same transaction. Synchronous so that other repos (reports,
// bans) can compose these writes inside their own db.transaction.
import type { Db } from '../db/open';
import { createNetworkTimes, type NetworkTimes } from '../db/network-times';
import { SlowModeConflict, ThreadClosedConflict, type ArticleEventType, type CommentChange, type CommentRow, type CommentStatus, type NewComment, type StatusChange, type WriteResult } from '../db/store';

export const commentColumns = (a = 'c') => `${a}.id, ${a}.article_id AS articleId, ${a}.parent_id AS parentId,
  ${a}.root_id AS rootId, ${a}.depth, ${a}.author_id AS authorId, ${a}.author_name AS authorName,
  ${a}.reply_to_name AS replyToName, ${a}.body, ${a}.html, ${a}.status, ${a}.created_at AS createdAt,
  ${a}.edited_at AS editedAt, ${a}.deleted_at AS deletedAt, ${a}.likes, ${a}.reply_count AS replyCount,
  ${a}.ip_hash AS ipHash, ${a}.pinned_at AS pinnedAt, ${a}.held_reason AS heldReason,
  ${a}.report_count AS reportCount, ${a}.reports_open AS reportsOpen, ${a}.moderated_at AS moderatedAt,
  ${a}.moderated_by AS moderatedBy, ${a}.moderation_note AS moderationNote, ${a}.staff, ${a}.verified_site_id AS verifiedSiteId, ${a}.verified_avatar AS verifiedAvatar,
  ${a}.featured_at AS featuredAt, ${a}.reactions AS reactionCounts, ${a}.score`;

/**
 * Visible to everyone: published, or kept as a placeholder for its replies when it was deleted, removed,
 * or is held for review (hidden by reports, or an edit held by a rule) until a moderator decides.
 */
export function isPubliclyVisible(c: Pick<CommentRow, 'status' | 'replyCount'>): boolean {
  return c.status === 'published' || c.replyCount > 0;
}

const ANCESTORS = `WITH RECURSIVE anc(id) AS (
    SELECT @parentId
    UNION ALL
    SELECT p.parent_id FROM comments p JOIN anc ON p.id = anc.id WHERE p.parent_id IS NOT NULL
  )`;

export interface CommentWriter {
  get(id: number): CommentRow | undefined;
  insert(c: NewComment): WriteResult & { authorId: number };
  updateBody(id: number, u: { body: string; html: string; editedAt: number; status: CommentStatus; heldReason: string | null }): WriteResult;
  setStatus(id: number, s: StatusChange): WriteResult;
  setPinned(id: number, pinned: boolean, at: number): WriteResult;
  setFeatured(id: number, featured: boolean, at: number): WriteResult;
  logChange(articleId: number, type: ArticleEventType, commentId: number | null, at: number): number;
  /** The networks' recent post times (the stored-comments rule), kept as the writes happen. */
  networkTimes: NetworkTimes;
}

export function createCommentWriter(db: Db): CommentWriter {
  const byId = db.prepare(`SELECT ${commentColumns()} FROM comments c WHERE c.id = ?`);
  // ON CONFLICT: two first posts racing with the same fresh cookie land on one author.
  const insertAuthor = db.prepare(`INSERT INTO authors (token_hash, created_at, last_ip_hash) VALUES (?, ?, ?)
    ON CONFLICT (token_hash) DO UPDATE SET last_ip_hash = excluded.last_ip_hash RETURNING id`).pluck();
  const touchAuthor = db.prepare(`UPDATE authors SET last_ip_hash = ? WHERE id = ?`);
  // The thread as the write finds it: a merge or close that committed after the service's read refuses the post.
  const threadState = db.prepare(`SELECT a.comments_closed AS closed, t.slug AS mergedInto FROM articles a
    LEFT JOIN articles t ON t.id = a.merged_into WHERE a.id = ?`);
  const lastInArticle = db.prepare(`SELECT MAX(created_at) FROM comments WHERE author_id = ? AND article_id = ?`).pluck();
  const insertComment = db.prepare(`INSERT INTO comments
    (article_id, parent_id, root_id, depth, author_id, author_name, reply_to_name, body, html, status, created_at, ip_hash, held_reason, staff, verified_site_id, verified_avatar)
    VALUES (@articleId, @parentId, @rootId, @depth, @authorId, @authorName, @replyToName, @body, @html, @status, @createdAt, @ipHash, @heldReason, @staff, @verifiedSiteId, @verifiedAvatar)`);
  const ancestors = db.prepare(`${ANCESTORS} SELECT ${commentColumns()} FROM comments c WHERE c.id IN (SELECT id FROM anc) ORDER BY c.depth`);
  const bumpAncestors = db.prepare(`${ANCESTORS} UPDATE comments SET reply_count = reply_count + @delta WHERE id IN (SELECT id FROM anc)`);
  const bumpArticle = db.prepare(`UPDATE articles SET comment_count = comment_count + ? WHERE id = ?`);
  const bumpAuthor = db.prepare(`UPDATE authors SET published_count = published_count + ? WHERE id = ?`);
  const bumpSeq = db.prepare(`UPDATE articles SET seq = seq + 1 WHERE id = ? RETURNING seq`).pluck();
  const logEvent = db.prepare(`INSERT INTO article_events (article_id, seq, type, comment_id, created_at) VALUES (?, ?, ?, ?, ?)`);
  // A comment leaving the public view leaves the pinned slot too (as in updateStatus).
  const updateBody = db.prepare(`UPDATE comments SET body = @body, html = @html, edited_at = @editedAt, status = @status,
      held_reason = @heldReason, pinned_at = CASE WHEN @status = 'published' THEN pinned_at ELSE NULL END
    WHERE id = @id`);
  const keepRevision = db.prepare(`INSERT INTO comment_revisions (comment_id, body, status, replaced_at)
    SELECT id, body, status, @at FROM comments WHERE id = @id`);
  const updateStatus = db.prepare(`UPDATE comments SET status = @status,
      deleted_at = CASE WHEN @status = 'deleted' THEN @at ELSE deleted_at END,
      held_reason = CASE WHEN @status = 'pending' THEN @heldReason ELSE NULL END,
      moderated_at = CASE WHEN @moderatorId IS NOT NULL THEN @at ELSE moderated_at END,
      moderated_by = COALESCE(@moderatorId, moderated_by),
      moderation_note = CASE WHEN @moderatorId IS NOT NULL THEN @note ELSE moderation_note END,
      reports_open = CASE WHEN @resolve = 1 THEN 0 ELSE reports_open END,
      pinned_at = CASE WHEN @status = 'published' THEN pinned_at ELSE NULL END
    WHERE id = @id`);
  const resolveReports = db.prepare(`UPDATE reports SET resolved_at = ? WHERE comment_id = ? AND resolved_at IS NULL`);
  const updatePinned = db.prepare(`UPDATE comments SET pinned_at = ? WHERE id = ?`);
  const updateFeatured = db.prepare(`UPDATE comments SET featured_at = ? WHERE id = ?`);
  const newestOfNetwork = db.prepare(`SELECT created_at FROM comments WHERE ip_hash = ? AND created_at >= ? ORDER BY created_at DESC LIMIT ?`).pluck();
  const networkTimes = createNetworkTimes((ipHash, sinceAt, limit) => (newestOfNetwork.all(ipHash, sinceAt, limit) as number[]).reverse());
  const countOf = db.prepare(`SELECT comment_count FROM articles WHERE id = ?`).pluck();
  const count = (articleId: number) => countOf.get(articleId) as number;

  const get = (id: number) => byId.get(id) as CommentRow | undefined;

  function logChange(articleId: number, type: ArticleEventType, commentId: number | null, at: number): number {
    const seq = bumpSeq.get(articleId) as number;
    logEvent.run(articleId, seq, type, commentId, at);
    return seq;
  }

  function typeFor(before: Pick<CommentRow, 'status' | 'replyCount'> | null, after: CommentRow): ArticleEventType {
    // A new row is a creation even when held: its author hears comment:created, and catch-up keeps
    // a held comment's existence from everyone else (it skips 'created' they cannot see).
    if (before === null) return 'created';
    const was = isPubliclyVisible(before);
    const is = isPubliclyVisible(after);
    if (is && !was) return 'created';
    if (!is && was) return 'removed';
    return 'updated';
  }

  /**
   * Moves the published counts of ancestors, article and author by delta, and logs an event for
   * every deleted/removed ancestor whose placeholder appears (first published reply) or vanishes
   * (last one gone). Ancestors are returned root first.
   */
  function shiftCounts(row: CommentRow, delta: number, at: number): CommentChange[] {
    if (delta === 0) return [];
    bumpArticle.run(delta, row.articleId);
    bumpAuthor.run(delta, row.authorId);
    if (row.parentId === null) return [];
    const before = ancestors.all({ parentId: row.parentId }) as CommentRow[];
    bumpAncestors.run({ parentId: row.parentId, delta });
    const flipped: CommentChange[] = [];
    const ordered = delta > 0 ? before : [...before].reverse();
    for (const a of ordered) {
      if (a.status === 'published') continue;
      const after = { ...a, replyCount: a.replyCount + delta };
      if (isPubliclyVisible(a) === isPubliclyVisible(after)) continue;
      const type = typeFor(a, after);
      flipped.push({ seq: logChange(a.articleId, type, a.id, at), type, comment: after });
    }
    return flipped;
  }

  const insert = db.transaction((c: NewComment): WriteResult & { authorId: number } => {
    const thread = threadState.get(c.articleId) as { closed: number; mergedInto: string | null } | undefined;
    if (thread?.mergedInto) throw new ThreadClosedConflict('merged', thread.mergedInto);
    if (thread?.closed) throw new ThreadClosedConflict('closed');
    let authorId = c.authorId;
    if (authorId === null) {
      if (!c.newAuthorTokenHash) throw new Error('insert needs an author id or a new author token hash');
      authorId = insertAuthor.get(c.newAuthorTokenHash, c.createdAt, c.ipHash) as number;
    } else if (c.ipHash) {
      touchAuthor.run(c.ipHash, authorId);
    }
    // Slow mode, checked where the write is serialised: the rule's earlier read may be stale by now.
    if (c.slowModeMs) {
      const last = lastInArticle.get(authorId, c.articleId) as number | null;
      if (last !== null && last + c.slowModeMs > c.createdAt) throw new SlowModeConflict(last);
    }
    const p = c.parent;
    const id = Number(
      insertComment.run({
        articleId: c.articleId,
        parentId: p ? p.id : null,
        rootId: p ? (p.rootId ?? p.id) : null,
        depth: p ? p.depth + 1 : 0,
        authorId,
        authorName: c.authorName,
        replyToName: p ? p.authorName : null,
        body: c.body,
        html: c.html,
        status: c.status,
        createdAt: c.createdAt,
        ipHash: c.ipHash,
        heldReason: c.status === 'pending' ? c.heldReason : null,
        staff: c.staff ?? null,
        verifiedSiteId: c.verifiedSiteId ?? null,
        verifiedAvatar: c.verifiedAvatar ?? null,
      }).lastInsertRowid,
    );
    const row = get(id)!;
    const ancestorsChanged = c.status === 'published' ? shiftCounts(row, 1, c.createdAt) : [];
    const type = typeFor(null, row);
    const change = { seq: logChange(row.articleId, type, id, c.createdAt), type, comment: row };
    const commentCount = count(row.articleId);
    // Last: a statement failing above rolls the row back before the network hears of it.
    networkTimes.add(c.ipHash, c.createdAt);
    return { change, ancestors: ancestorsChanged, authorId, commentCount };
  });

  function applyTransition(before: CommentRow, after: CommentRow, at: number): WriteResult {
    const delta = (after.status === 'published' ? 1 : 0) - (before.status === 'published' ? 1 : 0);
    const type = typeFor(before, after);
    if (delta > 0) {
      const ancestorsChanged = shiftCounts(after, delta, at);
      const change = { seq: logChange(after.articleId, type, after.id, at), type, comment: after };
      return { ancestors: ancestorsChanged, change, commentCount: count(after.articleId) };
    }
    const change = { seq: logChange(after.articleId, type, after.id, at), type, comment: after };
    return { change, ancestors: shiftCounts(after, delta, at), commentCount: count(after.articleId) };
  }

  const setStatus = db.transaction((id: number, s: StatusChange): WriteResult => {
    const before = get(id);
    if (!before) throw new Error(`comment ${id} not found`);
    updateStatus.run({
      id,
      status: s.status,
      at: s.at,
      heldReason: s.heldReason ?? null,
      moderatorId: s.moderatorId ?? null,
      note: s.note ?? null,
      resolve: s.resolveReports ? 1 : 0,
    });
    if (s.resolveReports) resolveReports.run(s.at, id);
    return applyTransition(before, get(id)!, s.at);
  });

  const editBody = db.transaction((id: number, u: { body: string; html: string; editedAt: number; status: CommentStatus; heldReason: string | null }): WriteResult => {
    const before = get(id);
    if (!before) throw new Error(`comment ${id} not found`);
    keepRevision.run({ id, at: u.editedAt });
    updateBody.run({ id, ...u, heldReason: u.status === 'pending' ? u.heldReason : null });
    return applyTransition(before, get(id)!, u.editedAt);
  });

  const setPinned = db.transaction((id: number, pinned: boolean, at: number): WriteResult => {
    updatePinned.run(pinned ? at : null, id);
    const row = get(id)!;
    const change: CommentChange = { seq: logChange(row.articleId, 'updated', id, at), type: 'updated', comment: row };
    return { change, ancestors: [], commentCount: count(row.articleId) };
  });

  const setFeatured = db.transaction((id: number, featured: boolean, at: number): WriteResult => {
    updateFeatured.run(featured ? at : null, id);
    const row = get(id)!;
    const change: CommentChange = { seq: logChange(row.articleId, 'updated', id, at), type: 'updated', comment: row };
    return { change, ancestors: [], commentCount: count(row.articleId) };
  });

  return { get, insert, updateBody: editBody, setStatus, setPinned, setFeatured, logChange, networkTimes };
}
