// Owns rendering the article page: the article, the first page of comments rendered on the server
// (readable without JavaScript), the comment form and the data the live client starts from.
import crypto from 'node:crypto';
import type { Response } from 'express';
import type { CommentJson, PageData } from '../../contracts/api';
import type { Deps } from '../deps';
import type { Article, SortOrder } from '../db/store';
import { listComments, showThread, type Viewer } from '../comments/comments.service';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { NEST_LIMIT, renderThread, type CommentTemplate } from '../comments/comments.html';
import { strings, type Lang, type Strings } from '../i18n/strings';
import { otherLang, siteTime } from '../i18n/lang';
import type { Assets } from '../http/assets';
import { toBlocks } from './articles.content';

/** China Standard Time: the site's display zone; the client template uses the same offset. */
export const SITE_TZ_OFFSET_MINUTES = 8 * 60;

export interface FormState {
  authorName?: string;
  body?: string;
  parentId?: number | null;
  replyToName?: string;
  error?: string;
  notice?: string;
  /** Fields the error is about: aria-invalid, described by the error, the first one focused. */
  fields?: ('authorName' | 'body')[];
}

export interface PageContext {
  deps: Deps;
  assets: Assets;
  commentTemplate: CommentTemplate;
  formSecret: string;
}

/** Signed page-render time for the form's too-fast check; a forged or missing stamp counts as too fast. */
export function stampForm(secret: string, at: number): string {
  return `${at}.${crypto.createHmac('sha256', secret).update(`form:${at}`).digest('base64url').slice(0, 16)}`;
}

export function formElapsed(secret: string, stamp: unknown, now: number): number | null {
  if (typeof stamp !== 'string') return null;
  const at = Number(stamp.split('.')[0]);
  if (!Number.isSafeInteger(at) || stampForm(secret, at) !== stamp) return null;
  return now - at;
}

/** JSON inside <script type="application/json">: no "<", ">", "&" or line separators that could end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The page's data block carries each comment once more for the script, without what the HTML beside it
 * already shows: no html, and the body only for the reader's own comments (the edit box starts from it).
 * A page of twenty 5,000-character comments would otherwise be sent twice.
 */
function slim(c: CommentJson): CommentJson {
  return { ...c, html: '', body: c.mine ? c.body : '', replies: c.replies?.map(slim) };
}

/**
 * The "展开 N 条回复" page without JavaScript: one top-level comment with a page of its replies; its next
 * page is the 加载更多 link (the cursor walks the replies). An unknown or hidden root is a 404.
 */
async function expandedPage(ctx: PageContext, article: Article, rootId: number, cursor: string | undefined, viewer: Viewer) {
  const row = await ctx.deps.store.comments.get(rootId);
  if (!row || row.articleId !== article.id) throw new AppError('comment_not_found', 404, msg('comment_not_found_plain'));
  const first = await listComments(ctx.deps, article.slug, { sort: 'newest', limit: 1 }, viewer);
  const thread = await showThread(ctx.deps, rootId, { cursor, limit: 100 }, viewer);
  // The next page of replies is the page's 加载更多 link, not the root's "展开" (which would start over).
  const root = { ...thread.root, replyCount: thread.replies.filter((r) => r.status === 'published').length, replies: thread.replies };
  return { ...first, comments: [root], nextCursor: thread.nextCursor };
}

function sortsFor(t: Strings) {
  return [
    { key: 'newest', label: t.sortNewest },
    { key: 'oldest', label: t.sortOldest },
    { key: 'top', label: t.sortTop },
  ];
}

export async function renderArticlePage(
  res: Response,
  ctx: PageContext,
  article: Article,
  opts: { viewer: Viewer; sort: SortOrder; cursor?: string; form: FormState; status?: number; lang?: Lang; expand?: number },
): Promise<void> {
  const lang = opts.lang ?? ctx.deps.config.defaultLang;
  const t = strings(lang);
  const now = ctx.deps.now();
  const time = siteTime(ctx.deps.config.timeZone, t);
  const page = opts.expand
    ? await expandedPage(ctx, article, opts.expand, opts.cursor, opts.viewer)
    : await listComments(ctx.deps, article.slug, { sort: opts.sort, cursor: opts.cursor, limit: 20 }, opts.viewer);
  const threadHtml = renderThread(ctx.commentTemplate, page.comments, { t, tz: SITE_TZ_OFFSET_MINUTES, now, time });
  const data: PageData = {
    slug: article.slug,
    seq: page.seq,
    sort: opts.sort,
    nextCursor: page.nextCursor,
    commentCount: page.commentCount,
    commentsClosed: page.commentsClosed,
    hasIdentity: opts.viewer.authorId !== null,
    nest: NEST_LIMIT,
    tz: SITE_TZ_OFFSET_MINUTES,
    timeZone: ctx.deps.config.timeZone,
    strings: t,
    comments: page.comments.map(slim),
  };
  const body = await ctx.deps.store.articles.body(article.id);
  const description = body.split('\n')[0].slice(0, 120);
  res.status(opts.status ?? 200).render('article', {
    t,
    assets: ctx.assets,
    pageTitle: `${article.title} · ${t.siteName}`,
    description,
    article,
    blocks: toBlocks(body),
    page,
    sort: opts.sort,
    sorts: sortsFor(t),
    threadHtml,
    form: { ...opts.form, ts: stampForm(ctx.formSecret, now) },
    dataJson: scriptJson(data),
    langSwitch: { lang: otherLang(lang), label: t.langSwitch },
    expand: opts.expand ?? null,
  });
}
