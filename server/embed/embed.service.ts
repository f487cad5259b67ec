// Owns the embed use cases over the ordinary comment ones: a page's thread read (a view creates nothing),
// a post that creates the page's thread only when its first comment is accepted, and batched counts.
import type { Actor, Deps } from '../deps';
import type { Site } from '../db/store';
import type { PageCache } from '../comments/comments.cache';
import { postComment, readCommentPage, verdictError, type CommentPage, type PageRequest, type Viewer } from '../comments/comments.service';
import type { CommentJson } from '../comments/comments.view';
import { overLength } from '../moderation/moderation.rules';
import { pageSlug, resolvePage, type PageRef } from './embed.pages';
import type { SsoUser } from './embed.identity';

/** Counts asked for at once (one <yilun-count> request per host page). */
export const MAX_COUNT_PAGES = 100;

export interface PageView {
  page: { key: string; slug: string };
  /** Null until the page's first comment was accepted. */
  thread: CommentPage | null;
}

export async function readPage(deps: Deps, site: Site, ref: PageRef, q: PageRequest, viewer: Viewer, cache?: PageCache): Promise<PageView> {
  const article = await deps.store.embed.pageThread(site.id, ref.key);
  if (!article) return { page: { key: ref.key, slug: ref.slug }, thread: null };
  // A merged page answers the thread its comments went into, under that thread's slug (the room to join).
  return { page: { key: ref.key, slug: article.slug }, thread: (await readCommentPage(deps, article, q, viewer, cache)).page };
}

export interface PageComment {
  authorName: string;
  body: string;
  parentId?: number | null;
}

/**
 * Posts on a page. Its thread is created here, for the first comment, with the site's moderation mode; a
 * first comment that is then refused (a rule, a ban, a limit) takes the empty thread away with it.
 */
export async function postOnPage(deps: Deps, site: Site, ref: PageRef, input: PageComment, actor: Actor, sso: SsoUser | null): Promise<{ comment: CommentJson; authorId: number; slug: string }> {
  // A signed-in user posts under the name their site vouches for.
  const post = { ...input, authorName: sso ? sso.name : input.authorName };
  const tooLong = overLength(post);
  if (tooLong) throw verdictError(tooLong);
  let article = await deps.store.embed.pageThread(site.id, ref.key);
  let created = false;
  if (!article) {
    ({ article, created } = await deps.store.embed.createPageThread({
      siteId: site.id,
      pageKey: ref.key,
      pageUrl: ref.url,
      slug: ref.slug,
      title: ref.title,
      moderationMode: site.moderationMode,
      createdAt: deps.now(),
    }));
  }
  try {
    const r = await postComment(deps, { slug: article.slug, ...post, verifiedSiteId: sso ? site.id : null, verifiedAvatar: sso?.avatar ?? null }, actor);
    if (created) deps.log.info('embed thread created', { site: site.id, article: article.slug });
    return { ...r, slug: article.slug };
  } catch (err) {
    if (created) await deps.store.embed.dropEmptyThread(article.id);
    throw err;
  }
}

/** Published comment counts of up to 100 pages by page-id, with each page's thread slug (to watch live). */
export async function countPages(deps: Deps, site: Site, pageIds: string[]): Promise<{ page: string; slug: string; count: number }[]> {
  const refs = pageIds.slice(0, MAX_COUNT_PAGES).map((page) => ({ page, ref: resolvePage(site, { page }) }));
  const counts = new Map((await deps.store.embed.counts(site.id, refs.map((r) => r.ref.key))).map((c) => [c.pageKey, c]));
  return refs.map(({ page, ref }) => {
    const c = counts.get(ref.key);
    // A merged page's count is its target's, watched under the target's slug.
    return { page, slug: c?.slug ?? pageSlug(site.id, ref.key), count: c?.commentCount ?? 0 };
  });
}
