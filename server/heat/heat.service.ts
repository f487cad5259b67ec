// Owns the reader-side use cases of the heated-thread tools, called alike by HTTP and socket: toggling a
// reaction, a reader's own reactions, a comment's edit history, and the article's picks (精选).
import { localWrite } from '../realtime/local-writes';
import type { Actor, Deps } from '../deps';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { requireNotBanned } from '../moderation/ban.guard';
import { renderBody } from '../comments/comments.render';
import { requireArticle } from '../comments/comments.service';
import { toCommentJson, type CommentJson } from '../comments/comments.view';

/**
 * At most this many reactions of one kind from one network count on one comment per window, as for likes:
 * fresh cookies cycled on one network cannot stuff a count.
 */
export const REACTIONS_PER_NETWORK = { limit: 3, windowMs: 24 * 3_600_000 } as const;
/** Earlier versions a reader can see per comment. */
export const REVISIONS_SHOWN = 20;
export const PICKS_SHOWN = 100;

export interface ReactionAnswer {
  id: number;
  kind: string;
  on: boolean;
  reactions: Record<string, number>;
  /** The article seq of this change (the page keeps the newest counts it has seen). */
  seq: number;
  authorId: number;
}

/** One reaction of `kind` on or off; kinds outside the site's set are refused, bans stop it, the per-network cap holds. */
export const toggleReaction = localWrite(async function toggleReaction(deps: Deps, id: number, kind: string, actor: Actor): Promise<ReactionAnswer> {
  const settings = await deps.policy.settings();
  if (!settings.reactionSet.includes(kind)) throw new AppError('reaction_not_offered', 422, msg('reaction_not_offered'), { kinds: settings.reactionSet });
  const c = await deps.store.comments.get(id);
  if (!c || c.status !== 'published') throw new AppError('comment_not_found', 404, msg('comment_not_found'));
  await requireNotBanned(deps, actor);
  const authorId = actor.authorId ?? (await deps.store.authors.ensure(actor.tokenHash!, deps.now(), actor.ipHash));
  const now = deps.now();
  const r = await deps.store.comments.toggleReaction(id, authorId, kind, now, { ipHash: actor.ipHash ?? null, ...REACTIONS_PER_NETWORK });
  if (r.capped) {
    const wait = Math.max(1, Math.ceil((r.capped.retryAt - now) / 1000));
    throw new AppError('reaction_limited', 429, msg('reaction_limited', { hours: Math.ceil(wait / 3600) }), { retryAfter: wait }, { 'Retry-After': String(wait) });
  }
  const article = (await deps.store.articles.getById(r.articleId))!;
  deps.publish({ type: 'reactions.changed', article, seq: r.seq, commentId: id, reactions: r.counts, authorId, kind, on: r.on });
  return { id, kind, on: r.on, reactions: r.counts, seq: r.seq, authorId };
});

/** The site's reaction set and, for a reader with an identity, which of these comments they reacted to how. */
export async function readerReactions(deps: Deps, ids: number[], actor: Pick<Actor, 'authorId'>): Promise<{ kinds: string[]; mine: Record<string, string[]> }> {
  const { reactionSet } = await deps.policy.settings();
  const mine = actor.authorId === null ? new Map<number, string[]>() : await deps.store.comments.reactedBy(actor.authorId, ids);
  return { kinds: reactionSet, mine: Object.fromEntries([...mine].map(([k, v]) => [String(k), v])) };
}

export interface RevisionJson {
  /** The text as it was, rendered and escaped like any comment. */
  html: string;
  /** When this text was written (the comment's creation, or the edit before). */
  writtenAt: string;
  /** When an edit replaced it. */
  replacedAt: string;
}

/**
 * The earlier texts of a published comment, oldest first. Anything else (held, removed, deleted) is 404, and
 * only texts that were public when they were replaced are shown: a held version never was.
 */
export async function listRevisions(deps: Deps, id: number): Promise<{ id: number; editedAt: string | null; revisions: RevisionJson[] }> {
  const c = await deps.store.comments.get(id);
  if (!c || c.status !== 'published') throw new AppError('comment_not_found', 404, msg('comment_not_found'));
  const rows = (await deps.store.comments.revisionsOf([id], REVISIONS_SHOWN)).reverse();
  const iso = (ms: number) => new Date(ms).toISOString();
  const revisions: RevisionJson[] = [];
  rows.forEach((r, i) => {
    const writtenAt = i === 0 ? c.createdAt : rows[i - 1].replacedAt;
    if (r.status === 'published') revisions.push({ html: renderBody(r.body), writtenAt: iso(writtenAt), replacedAt: iso(r.replacedAt) });
  });
  return { id, editedAt: c.editedAt === null ? null : iso(c.editedAt), revisions };
}

/** The article's picks, pinned ones first, then the newest pick first. */
export async function listPicks(deps: Deps, slug: string): Promise<{ comments: CommentJson[] }> {
  const article = await requireArticle(deps, slug);
  const rows = await deps.store.comments.listFeatured(article.id, PICKS_SHOWN);
  const ordered = [...rows.filter((r) => r.pinnedAt !== null), ...rows.filter((r) => r.pinnedAt === null)];
  return { comments: ordered.map((r) => toCommentJson(r)) };
}
