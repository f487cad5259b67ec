// Owns the comment use cases, one function each, called alike by the HTTP routes and the socket handlers:
// validate against the article and parent, moderate, store (committed), then publish.
import { localWrite } from '../realtime/local-writes';
import type { Actor, Deps } from '../deps';
import { SlowModeConflict, ThreadClosedConflict, type Article, type CommentRow, type SortOrder, type StaffBadge, type WriteResult } from '../db/store';
import type { Moderator } from '../db/moderators.types';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { decide, overLength, type Rejection } from '../moderation/moderation.rules';
import { buildRuleContext } from '../moderation/moderation.policy';
import { renderBody } from './comments.render';
import { decodeCursor, encodeCursor } from './comments.schema';
import { EDIT_WINDOW_MS, toCommentJson, type CommentJson } from './comments.view';
import { isPubliclyVisible } from './comments.writer';
import { slowMode } from '../heat/slow-mode';
import { requireNotBanned } from '../moderation/ban.guard';
import { deepFreeze, type PageCache } from './comments.cache';

export const FIRST_REPLIES = 3;
/**
 * Deepest reply (a top-level comment is depth 0). Each write walks a comment's ancestors to keep reply counts
 * true, so depth bounds its cost: under half a millisecond at 64, against 50-100 ms a reply and 265 ms a delete
 * at 3,000. 64 is 32 exchanges between two people in one chain, far past the three indented levels the page shows.
 */
export const MAX_DEPTH = 64;

export interface Viewer {
  authorId: number | null;
}

export async function requireArticle(deps: Pick<Deps, 'store'>, slug: string): Promise<Article> {
  const article = await deps.store.articles.getBySlug(slug);
  if (!article) throw new AppError('article_not_found', 404, msg('article_not_found'));
  return article;
}

async function requireOwnComment(deps: Deps, id: number, actor: Actor): Promise<CommentRow> {
  const c = await deps.store.comments.get(id);
  if (!c || c.status === 'deleted' || c.status === 'rejected') throw new AppError('comment_not_found', 404, msg('comment_not_found'));
  if (actor.authorId === null || c.authorId !== actor.authorId) throw new AppError('not_author', 403, msg('not_author'));
  return c;
}

export function verdictError(v: Rejection): AppError {
  const headers = v.retryAfterSeconds ? { 'Retry-After': String(v.retryAfterSeconds) } : undefined;
  return new AppError(v.code, v.status, v.message, v.details, headers);
}

/** Every committed change of one write, in the order of its event sequence. */
export function publishWrite(deps: Pick<Deps, 'publish'>, article: Pick<Article, 'id' | 'slug'>, ...writes: WriteResult[]): void {
  const changes = writes.flatMap((w) => [w.change, ...w.ancestors]).sort((a, b) => a.seq - b.seq);
  const last = writes.reduce((a, b) => (a.change.seq > b.change.seq ? a : b));
  if (changes.length) deps.publish({ type: 'comment.changed', article, changes, commentCount: last.commentCount });
}

/** A merge or close that won the race with a post: the reader reloads (a merged page now shows the target thread). */
function threadClosedError(err: ThreadClosedConflict): AppError {
  if (err.reason === 'merged') return new AppError('thread_merged', 409, msg('thread_merged'), { into: err.into });
  return new AppError('comments_closed', 403, msg('comments_closed'));
}

function rulesDeps(deps: Deps) {
  return { store: deps.store, policy: deps.policy, now: deps.now, rateLimits: deps.config.rateLimits, timeZone: deps.config.timeZone };
}

export interface PostInput {
  slug: string;
  authorName: string;
  body: string;
  parentId?: number | null;
  /** Form-path spam signals, see moderation rule spamSignals. */
  spam?: { honeypot: boolean; tooFast: boolean };
  /** The embedding site whose signed-in user (SSO) posts. */
  verifiedSiteId?: number | null;
  /** That user's https avatar (from the verified SSO token). */
  verifiedAvatar?: string | null;
  /** The signed-in moderator posting as staff (from their session, never from the request body). */
  staff?: Moderator;
  /** The poster is a signed-in moderator: slow mode does not apply. */
  exempt?: boolean;
}

/** The badge a moderator's staff post carries: 作者 on the article they wrote (its author account), else 编辑. */
export function staffBadge(article: Article, mod: Moderator): StaffBadge {
  return article.authorAccount && article.authorAccount.toLowerCase() === mod.username.toLowerCase() ? 'author' : 'editor';
}

export const postComment = localWrite(async function postComment(deps: Deps, input: PostInput, actor: Actor): Promise<{ comment: CommentJson; authorId: number }> {
  const tooLong = overLength(input);
  if (tooLong) throw verdictError(tooLong);
  const article = await requireArticle(deps, input.slug);
  let parent: CommentRow | null = null;
  if (input.parentId != null) {
    const p = await deps.store.comments.get(input.parentId);
    if (!p || p.articleId !== article.id || p.status !== 'published') {
      throw new AppError('invalid_parent', 422, msg('invalid_parent'), [{ field: 'parentId', message: msg('field_invalid_parent') }]);
    }
    if (p.depth + 1 > MAX_DEPTH) throw new AppError('thread_too_deep', 422, msg('thread_too_deep', { max: MAX_DEPTH }), { max: MAX_DEPTH });
    parent = p;
  }
  const ctx = await buildRuleContext(rulesDeps(deps), {
    kind: 'create',
    article,
    authorName: input.authorName,
    body: input.body,
    authorId: actor.authorId,
    author: actor.author,
    ipHash: actor.ipHash,
    spam: input.spam,
    exempt: input.exempt,
  });
  const verdict = decide(ctx);
  if (verdict.action === 'reject') throw verdictError(verdict);
  if (actor.authorId === null && !actor.tokenHash) throw new Error('postComment needs an author token');
  // Slow mode is checked again in the write (the rule read above may be stale: two posts at once, on two
  // nodes). The check locks per author, so a first post makes its author row first.
  const slow = ctx.slowMode;
  const authorId = slow && actor.authorId === null ? await deps.store.authors.ensure(actor.tokenHash!, ctx.now, actor.ipHash) : actor.authorId;
  const result = await deps.store.comments.insert({
    articleId: article.id,
    parent,
    authorId,
    newAuthorTokenHash: actor.tokenHash ?? undefined,
    slowModeMs: slow ? slow.seconds * 1000 : undefined,
    authorName: input.authorName,
    body: input.body,
    html: renderBody(input.body),
    // A moderator posting as staff is not held for review (a rejection, e.g. a ban, still stands).
    status: verdict.action === 'hold' && !input.staff ? 'pending' : 'published',
    heldReason: verdict.action === 'hold' && !input.staff ? verdict.reason : null,
    ipHash: actor.ipHash,
    createdAt: ctx.now,
    staff: input.staff ? staffBadge(article, input.staff) : null,
    verifiedSiteId: input.verifiedSiteId ?? null,
    verifiedAvatar: input.verifiedSiteId != null ? (input.verifiedAvatar ?? null) : null,
  }).catch((err: unknown) => {
    if (err instanceof ThreadClosedConflict) throw threadClosedError(err);
    if (!(err instanceof SlowModeConflict) || !slow) throw err;
    throw verdictError(slowMode({ kind: 'create', now: ctx.now, slowMode: { seconds: slow.seconds, lastAt: err.lastAt } })!);
  });
  publishWrite(deps, article, result);
  const c = result.change.comment;
  deps.log.info('comment posted', { id: c.id, article: article.slug, status: c.status, heldReason: c.heldReason ?? undefined });
  return { comment: toCommentJson(c, { mine: true }), authorId: result.authorId };
});

/** A moderator let it stand as it was (approved, restored or pinned): a changed text needs their look again. */
const vouchedFor = (c: CommentRow) => c.status === 'published' && (c.moderatedBy !== null || c.pinnedAt !== null);

/**
 * An edit runs every rule a new comment runs. An edit of a comment a moderator approved or pinned goes back to
 * review (pending, unpinned: re-pin after approving); the previous text is kept for the console.
 */
export const editComment = localWrite(async function editComment(deps: Deps, id: number, body: string, actor: Actor): Promise<CommentJson> {
  const c = await requireOwnComment(deps, id, actor);
  const tooLong = overLength({ authorName: c.authorName, body });
  if (tooLong) throw verdictError(tooLong);
  const now = deps.now();
  if (now - c.createdAt > EDIT_WINDOW_MS) throw new AppError('edit_window_closed', 422, msg('edit_window_closed', { minutes: EDIT_WINDOW_MS / 60_000 }));
  if (body === c.body) return toCommentJson(c, { mine: true });
  const article = (await deps.store.articles.getById(c.articleId))!;
  const ctx = await buildRuleContext(rulesDeps(deps), {
    kind: 'edit',
    article,
    authorName: c.authorName,
    body,
    authorId: c.authorId,
    ipHash: actor.ipHash,
    commentId: c.id,
    editedIsPublished: c.status === 'published',
  });
  const verdict = decide(ctx);
  if (verdict.action === 'reject') throw verdictError(verdict);
  // An edit never frees a held comment: what waits for review keeps waiting, now with the new text.
  const heldReason = verdict.action === 'hold' ? verdict.reason : vouchedFor(c) ? 'edited_after_approval' : c.status === 'pending' ? c.heldReason : null;
  const result = await deps.store.comments.updateBody(id, {
    body,
    html: renderBody(body),
    editedAt: now,
    status: heldReason !== null || c.status === 'pending' ? 'pending' : 'published',
    heldReason,
  });
  publishWrite(deps, article, result);
  deps.log.info('comment edited', { id, status: result.change.comment.status, heldReason: result.change.comment.heldReason ?? undefined });
  const liked = await deps.store.comments.likedBy(c.authorId, [id]);
  return toCommentJson(result.change.comment, { mine: true, liked: liked.has(id) });
});

export const deleteComment = localWrite(async function deleteComment(deps: Deps, id: number, actor: Actor): Promise<{ id: number; comment: CommentJson | null }> {
  const c = await requireOwnComment(deps, id, actor);
  const article = (await deps.store.articles.getById(c.articleId))!;
  const result = await deps.store.comments.setStatus(id, { status: 'deleted', at: deps.now() });
  publishWrite(deps, article, result);
  deps.log.info('comment deleted', { id });
  const after = result.change.comment;
  return { id, comment: isPubliclyVisible(after) ? toCommentJson(after) : null };
});

/**
 * At most this many likes from one network count on one comment per window: fresh cookies cycled on one
 * network cannot stuff a comment's count. A household or office sharing an address still gets three.
 */
export const LIKES_PER_NETWORK = { limit: 3, windowMs: 24 * 3_600_000 } as const;

/** Likes need an identity; a reader who never posted gets one here, after the checks pass. */
export const toggleLike = localWrite(async function toggleLike(deps: Deps, id: number, actor: Actor): Promise<{ id: number; likes: number; liked: boolean; authorId: number }> {
  const c = await deps.store.comments.get(id);
  if (!c || c.status !== 'published') throw new AppError('comment_not_found', 404, msg('comment_not_found'));
  await requireNotBanned(deps, actor);
  const authorId = actor.authorId ?? (await deps.store.authors.ensure(actor.tokenHash!, deps.now(), actor.ipHash));
  const now = deps.now();
  const r = await deps.store.comments.toggleLike(id, authorId, now, { ipHash: actor.ipHash ?? null, ...LIKES_PER_NETWORK });
  if (r.capped) {
    const wait = Math.max(1, Math.ceil((r.capped.retryAt - now) / 1000));
    const hours = Math.ceil(wait / 3600);
    throw new AppError('like_limited', 429, msg('like_limited', { hours }), { retryAfter: wait }, { 'Retry-After': String(wait) });
  }
  const article = (await deps.store.articles.getById(c.articleId))!;
  deps.publish({ type: 'reaction.changed', article, seq: r.seq, commentId: id, likes: r.likes, authorId, liked: r.liked });
  return { id, likes: r.likes, liked: r.liked, authorId };
});

async function toJsonList(deps: Deps, rows: CommentRow[], viewer: Viewer): Promise<CommentJson[]> {
  const liked = viewer.authorId === null ? new Set<number>() : await deps.store.comments.likedBy(viewer.authorId, rows.map((r) => r.id));
  return rows.map((r) => toCommentJson(r, { mine: r.authorId === viewer.authorId, liked: liked.has(r.id) }));
}

export interface CommentPage {
  comments: CommentJson[];
  nextCursor: string | null;
  /** Top-level comments on the pages after this one: 加载更多 says how many remain. */
  remaining: number;
  /** The article's event sequence before this page was read: join with since = seq to stay exact. */
  seq: number;
  commentCount: number;
  commentsClosed: boolean;
  /** Slow mode's interval in seconds (0 = off). */
  slowModeSeconds: number;
}

/** A page as read from storage: its rows (roots, then their first replies) and the answer built from them. */
interface BuiltPage {
  page: CommentPage;
  rows: CommentRow[];
  roots: number;
}

type More = Pick<CommentPage, 'nextCursor' | 'remaining'>;

function assemble(article: Article, rows: CommentRow[], roots: number, more: More, viewer: Viewer, liked: Set<number>): CommentPage {
  const json = rows.map((r) => toCommentJson(r, { mine: r.authorId === viewer.authorId, liked: liked.has(r.id) }));
  const byId = new Map(json.map((c) => [c.id, c]));
  const top = json.slice(0, roots);
  for (const t of top) t.replies = [];
  for (const r of json.slice(roots)) byId.get(r.rootId!)?.replies!.push(r);
  return { comments: top, ...more, seq: article.seq, commentCount: article.commentCount, commentsClosed: article.commentsClosed, slowModeSeconds: article.slowModeSeconds };
}

async function buildPage(deps: Deps, article: Article, q: PageRequest, viewer: Viewer): Promise<BuiltPage> {
  const after = q.cursor ? decodeCursor(q.cursor, q.sort) : undefined;
  const [pinned, rows] = await Promise.all([
    after ? Promise.resolve([]) : deps.store.comments.listPinned(article.id, viewer.authorId),
    deps.store.comments.listTopLevel({ articleId: article.id, sort: q.sort, after, limit: q.limit + 1, viewerAuthorId: viewer.authorId }),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const more: More = { nextCursor: null, remaining: 0 };
  if (rows.length > q.limit) {
    const next = { sort: q.sort, id: last.id, likes: q.sort === 'top' ? last.score : undefined };
    more.nextCursor = encodeCursor(next);
    more.remaining = await deps.store.comments.countTopLevel({ articleId: article.id, sort: q.sort, after: next, viewerAuthorId: viewer.authorId });
  }
  const roots = [...pinned, ...page];
  const replies = await deps.store.comments.listFirstReplies(
    roots.filter((r) => r.replyCount > 0 || r.authorId === viewer.authorId).map((r) => r.id),
    FIRST_REPLIES,
    viewer.authorId,
  );
  const all = [...roots, ...replies];
  const liked = viewer.authorId === null ? new Set<number>() : await deps.store.comments.likedBy(viewer.authorId, all.map((r) => r.id));
  return { page: assemble(article, all, roots.length, more, viewer, liked), rows: all, roots: roots.length };
}

export interface PageRequest {
  sort: SortOrder;
  cursor?: string;
  limit: number;
}

/** The public first page at one seq (what every reader without activity on it sees), shared and frozen. */
interface SharedPage extends BuiltPage {
  json: Buffer;
}

export interface PageAnswer {
  page: CommentPage;
  /** The answer shows this reader's own view (mine, liked, their held comments): never shared with anyone else. */
  viewerSpecific: boolean;
  /** The shared answer, already serialized, when the reader gets the public first page. */
  json?: Buffer;
}

const specific = (cs: CommentJson[]): boolean => cs.some((c) => c.mine || c.liked || (c.replies !== undefined && specific(c.replies)));

/**
 * A page of top-level comments with their first replies. First pages come from the cache (when given) keyed by
 * the article's seq: the public answer is built once per seq, and a reader's own view is merged onto it only when
 * the page holds their comments or likes; a reader with a held comment on the article gets a fresh read.
 */
export async function readCommentPage(deps: Deps, article: Article, q: PageRequest, viewer: Viewer, cache?: PageCache): Promise<PageAnswer> {
  if (!cache?.enabled || q.cursor) {
    const { page } = await buildPage(deps, article, q, viewer);
    return { page, viewerSpecific: viewer.authorId !== null && specific(page.comments) };
  }
  const shared = await cache.get<SharedPage>(`list:${article.id}:${article.seq}:${q.sort}:${q.limit}`, async () => {
    const built = await buildPage(deps, article, q, { authorId: null });
    // Kept only if nothing changed while it was read: then it is exactly the state at this seq.
    const after = await deps.store.articles.getById(article.id);
    const json = Buffer.from(JSON.stringify(built.page));
    // The serialized answer plus, roughly, the rows and objects kept beside it.
    return { value: { ...deepFreeze(built), json }, bytes: 4 * json.length, keep: after?.seq === article.seq };
  });
  if (viewer.authorId === null) return { page: shared.page, viewerSpecific: false, json: shared.json };
  const [liked, pending] = await Promise.all([
    deps.store.comments.likedBy(viewer.authorId, shared.rows.map((r) => r.id)),
    deps.store.comments.hasPending(article.id, viewer.authorId),
  ]);
  // Their held comments are not in the public page and may change which comments it holds.
  if (pending) {
    const { page } = await buildPage(deps, article, q, viewer);
    return { page, viewerSpecific: true };
  }
  if (liked.size === 0 && !shared.rows.some((r) => r.authorId === viewer.authorId)) return { page: shared.page, viewerSpecific: false, json: shared.json };
  return { page: assemble(article, shared.rows, shared.roots, { nextCursor: shared.page.nextCursor, remaining: shared.page.remaining }, viewer, liked), viewerSpecific: true };
}

export async function listComments(deps: Deps, slug: string, q: PageRequest, viewer: Viewer, cache?: PageCache): Promise<CommentPage> {
  return (await readCommentPage(deps, await requireArticle(deps, slug), q, viewer, cache)).page;
}

export async function listReplies(
  deps: Deps,
  rootId: number,
  q: { cursor?: string; after?: number; limit: number },
  viewer: Viewer,
): Promise<{ replies: CommentJson[]; nextCursor: string | null }> {
  const root = await deps.store.comments.get(rootId);
  // The replies of a thread this reader cannot see (a held or removed comment without replies) are not listed either.
  const seen = root && (isPubliclyVisible(root) || (root.status === 'pending' && root.authorId === viewer.authorId));
  if (!root || root.parentId !== null || !seen) throw new AppError('comment_not_found', 404, msg('comment_not_found_plain'));
  const after = q.cursor ? decodeCursor(q.cursor, 'oldest').id : (q.after ?? 0);
  const rows = await deps.store.comments.listReplies(rootId, after, q.limit + 1, viewer.authorId);
  const page = rows.slice(0, q.limit);
  const nextCursor = rows.length > q.limit ? encodeCursor({ sort: 'oldest', id: page[page.length - 1].id }) : null;
  return { replies: await toJsonList(deps, page, viewer), nextCursor };
}

/** One top-level comment with a page of its replies in thread order: the no-JavaScript "展开 N 条回复" page. */
export async function showThread(
  deps: Deps,
  rootId: number,
  q: { cursor?: string; limit: number },
  viewer: Viewer,
): Promise<{ root: CommentJson; replies: CommentJson[]; nextCursor: string | null }> {
  const page = await listReplies(deps, rootId, q, viewer);
  const [root] = await toJsonList(deps, [(await deps.store.comments.get(rootId))!], viewer);
  return { root, ...page };
}
