// Owns the moderator's view of comments: a queue entry with its article, parent, author context
// (other recent comments, ban status) and why it is in the queue. Batched: a page costs a fixed number of queries.
import type { Deps } from '../deps';
import type { CommentRow } from '../db/store';
import type { AdminComment, QueueItem, QueueName } from '../../contracts/moderation';

export type { AdminComment, QueueItem };

/** Earlier texts shown per comment, newest first: enough to see what an edit changed and what was approved. */
const REVISIONS_SHOWN = 5;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const excerpt = (s: string, n = 140) => ([...s].length > n ? [...s].slice(0, n).join('') + '…' : s);

export function toAdminComment(c: CommentRow): AdminComment {
  return {
    id: c.id,
    articleId: c.articleId,
    parentId: c.parentId,
    depth: c.depth,
    authorId: c.authorId,
    authorName: c.authorName,
    body: c.body,
    html: c.html,
    status: c.status,
    createdAt: iso(c.createdAt)!,
    editedAt: iso(c.editedAt),
    likes: c.likes,
    replyCount: c.replyCount,
    pinned: c.pinnedAt !== null,
    featured: c.featuredAt !== null,
    heldReason: c.heldReason,
    reportCount: c.reportCount,
    reportsOpen: c.reportsOpen,
    moderatedAt: iso(c.moderatedAt),
    moderationNote: c.moderationNote,
    hasNetwork: c.ipHash !== null,
  };
}

/** Which queues a comment belongs to now (empty = it left every review queue). */
export function queuesOf(c: CommentRow): QueueName[] {
  const q: QueueName[] = [];
  if (c.status === 'pending' && c.reportsOpen === 0) q.push('pending');
  if (c.reportsOpen > 0 && (c.status === 'published' || c.status === 'pending')) q.push('reported');
  if (c.status === 'published') q.push('published');
  if (c.status === 'rejected') q.push('rejected');
  return q;
}

export async function toQueueItems(deps: Deps, rows: CommentRow[]): Promise<QueueItem[]> {
  if (rows.length === 0) return [];
  const { store } = deps;
  const parentIds = [...new Set(rows.map((r) => r.parentId).filter((x): x is number => x !== null))];
  const authorIds = [...new Set(rows.map((r) => r.authorId))];
  const [articles, parents, recent, bans, reports, revisions, subscribed] = await Promise.all([
    store.articles.list(),
    store.comments.getMany(parentIds),
    store.moderation.recentOfAuthors(authorIds, 6),
    store.moderation.activeBansFor(authorIds, deps.now()),
    store.moderation.reportSummaries(rows.map((r) => r.id)),
    store.comments.revisionsOf(rows.map((r) => r.id), REVISIONS_SHOWN),
    store.notify.withSubscription(authorIds),
  ]);
  const articleById = new Map(articles.map((a) => [a.id, a]));
  const parentById = new Map(parents.map((p) => [p.id, p]));
  return rows.map((c) => {
    const a = articleById.get(c.articleId);
    const p = c.parentId === null ? undefined : parentById.get(c.parentId);
    return {
      comment: toAdminComment(c),
      queues: queuesOf(c),
      article: a ? { slug: a.slug, title: a.title } : null,
      parent: p ? { id: p.id, authorName: p.authorName, body: excerpt(p.body), status: p.status } : null,
      author: {
        id: c.authorId,
        recent: recent
          .filter((r) => r.authorId === c.authorId && r.id !== c.id)
          .slice(0, 5)
          .map((r) => ({ id: r.id, body: excerpt(r.body, 80), status: r.status, createdAt: iso(r.createdAt)! })),
        ban: bans.find((b) => b.authorId === c.authorId) ?? null,
        // That the author gets reply mail, never the address (notify/).
        mailSubscribed: subscribed.has(c.authorId),
      },
      reasons: { heldReason: c.heldReason, reports: reports.filter((s) => s.commentId === c.id) },
      revisions: revisions.filter((r) => r.commentId === c.id).map((r) => ({ body: r.body, status: r.status, replacedAt: iso(r.replacedAt)! })),
    };
  });
}
