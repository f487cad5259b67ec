// Owns rendering the article page: the article, the first page of comments rendered on the server
// (readable without JavaScript), the comment form and the data the live client starts from.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Response } from 'express';
import type { CommentJson, PageData } from '../../contracts/api';
import type { Deps } from '../deps';
import type { Article, SortOrder } from '../db/store';
import { listComments, readCommentPage, showThread, type CommentPage, type Viewer } from '../comments/comments.service';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import type { PageCache } from '../comments/comments.cache';
import { NEST_LIMIT, renderThread, type CommentTemplate } from '../comments/comments.html';
import { fill, strings, type Lang, type Strings } from '../i18n/strings';
import { otherLang, siteTime } from '../i18n/lang';
import type { Assets } from '../http/assets';
import { brotli, sendEncoded, takesBrotli, takesGzip } from '../http/http.caching';
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
  /** First pages and article pages by seq (PAGE_CACHE_BYTES). */
  pageCache: PageCache;
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

function sortsFor(t: Strings) {
  return [
    { key: 'newest', label: t.sortNewest },
    { key: 'oldest', label: t.sortOldest },
    { key: 'top', label: t.sortTop },
  ];
}

/** A cached page is rebuilt at least this often, for its relative times. */
const LABELS_FRESH_MS = 60_000;

/** Where a cached page takes each request's own form stamp; survives HTML escaping unchanged. */
const STAMP_SLOT = 'yl0stamp0slot0f3c9a1e7b2d4';

/** A rendered article page with the form stamp cut out: served as pre + fresh stamp + post. */
interface CachedPage {
  pre: Buffer;
  post: Buffer;
  /** The gzip and brotli variants, each compressed once per second with that second's stamp (see sendCachedPage). */
  gz?: { at: number; body: Buffer };
  br?: { at: number; body: Buffer };
}

const emptyForm = (f: FormState) => Object.values(f).every((v) => v === undefined || v === null || v === '');

function renderHtml(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
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
  // How many replies the later pages hold is not counted: their 加载更多 says no number.
  return { ...first, comments: [root], nextCursor: thread.nextCursor, remaining: 0 };
}

async function pageHtml(res: Response, ctx: PageContext, article: Article, page: CommentPage, o: { viewer: Viewer; sort: SortOrder; form: FormState; stamp: string; now: number; lang: Lang; expand?: number }): Promise<string> {
  const t = strings(o.lang);
  const time = siteTime(ctx.deps.config.timeZone, t);
  const threadHtml = renderThread(ctx.commentTemplate, page.comments, { t, tz: SITE_TZ_OFFSET_MINUTES, now: o.now, time });
  const data: PageData = {
    slug: article.slug,
    seq: page.seq,
    sort: o.sort,
    nextCursor: page.nextCursor,
    remaining: page.remaining,
    commentCount: page.commentCount,
    commentsClosed: page.commentsClosed,
    slowModeSeconds: article.slowModeSeconds,
    hasIdentity: o.viewer.authorId !== null,
    nest: NEST_LIMIT,
    tz: SITE_TZ_OFFSET_MINUTES,
    timeZone: ctx.deps.config.timeZone,
    strings: t,
    comments: page.comments.map(slim),
  };
  const body = await ctx.deps.store.articles.body(article.id);
  const description = body.split('\n')[0].slice(0, 120);
  return renderHtml(res, 'article', {
    t,
    assets: ctx.assets,
    pageTitle: `${article.title} · ${t.siteName}`,
    description,
    article,
    blocks: toBlocks(body),
    page,
    sort: o.sort,
    sorts: sortsFor(t),
    threadHtml,
    form: { ...o.form, ts: o.stamp },
    dataJson: scriptJson(data),
    hasIdentity: o.viewer.authorId !== null,
    feeds: [
      { title: fill(t.feedArticle, { title: article.title }), href: `/articles/${encodeURIComponent(article.slug)}/comments.atom` },
      { title: fill(t.feedSite, { site: t.siteName }), href: '/comments.atom' },
    ],
    langSwitch: { lang: otherLang(o.lang), label: t.langSwitch },
    byline: {
      name: article.byline ?? null,
      date: article.publishedAt == null ? null : { iso: new Date(article.publishedAt).toISOString(), full: time.full(article.publishedAt), text: time.date(article.publishedAt) },
    },
    expand: o.expand ?? null,
  });
}

/**
 * The article page. The first page for a reader whose view is the public one (no comments or likes of theirs on
 * it), with an empty form, is rendered once per (seq, sort, language, has-identity) and kept in the page cache;
 * each request gets its own form stamp. Anything else (their own view, a later page, a form to show again) is
 * rendered per request.
 */
export async function renderArticlePage(
  res: Response,
  ctx: PageContext,
  article: Article,
  opts: { viewer: Viewer; sort: SortOrder; cursor?: string; form: FormState; status?: number; lang?: Lang; expand?: number },
): Promise<void> {
  const now = ctx.deps.now();
  const lang = opts.lang ?? ctx.deps.config.defaultLang;
  const status = opts.status ?? 200;
  const base = { viewer: opts.viewer, sort: opts.sort, form: opts.form, now, lang, expand: opts.expand };
  if (opts.expand) {
    // The no-JS "展开 N 条回复" page: one thread, rendered per request.
    const page = await expandedPage(ctx, article, opts.expand, opts.cursor, opts.viewer);
    const html = await pageHtml(res, ctx, article, page, { ...base, stamp: stampForm(ctx.formSecret, now) });
    return sendHtml(res, status, html);
  }
  const answer = await readCommentPage(ctx.deps, article, { sort: opts.sort, cursor: opts.cursor, limit: 20 }, opts.viewer, ctx.pageCache);
  if (!ctx.pageCache.enabled || opts.cursor || status !== 200 || answer.viewerSpecific || !emptyForm(opts.form)) {
    const html = await pageHtml(res, ctx, article, answer.page, { ...base, stamp: stampForm(ctx.formSecret, now) });
    return sendHtml(res, status, html);
  }
  // The minute is in the key: a page's relative times ("刚刚", "3 分钟前") are never more than a minute behind, even
  // on an article nobody changes for days (the script refreshes them; a reader without JavaScript sees them as sent).
  const minute = Math.floor(now / LABELS_FRESH_MS);
  const key = `page:${article.id}:${answer.page.seq}:${opts.sort}:${strings(lang).langTag}:${opts.viewer.authorId === null ? 0 : 1}:${minute}`;
  const cached = await ctx.pageCache.get<CachedPage | null>(key, async () => {
    const html = await pageHtml(res, ctx, article, answer.page, { ...base, stamp: STAMP_SLOT });
    const parts = html.split(STAMP_SLOT);
    if (parts.length !== 2) return { value: null, bytes: 0, keep: false };
    const value = { pre: Buffer.from(parts[0]), post: Buffer.from(parts[1]) };
    // The page may hold a newer state than its seq if a change landed while it was built: not kept then.
    const after = await ctx.deps.store.articles.getById(article.id);
    return { value, bytes: value.pre.length + value.post.length, keep: after?.seq === answer.page.seq };
  });
  if (!cached) {
    const html = await pageHtml(res, ctx, article, answer.page, { ...base, stamp: stampForm(ctx.formSecret, now) });
    return sendHtml(res, status, html);
  }
  sendCachedPage(res, ctx.formSecret, cached, now);
}

/** A page rendered for this request; encoded here, since the compression middleware skips page routes (http.compression.ts). */
const sendHtml = (res: Response, status: number, html: string) => sendEncoded(res.req, res.status(status).type('html'), html);

/**
 * The cached page's bytes as they are: no copy of the page per request, only the stamp is new. A client taking
 * brotli (preferred) or gzip gets a variant compressed once per second, not once per request (the compression middleware would spend
 * more on a 90 KB page than everything else in the request). Its stamp is the start of that second: the form's
 * too-fast signal (a hold, not a refusal) may be up to a second weaker for it, as it is up to 35 s weaker for a
 * page served by a shared cache; a stamp ahead of the real time would instead hold a reader who waited long enough.
 */
function sendCachedPage(res: Response, secret: string, cached: CachedPage, now: number): void {
  const head = res.req.method === 'HEAD';
  res.status(200).type('html');
  res.vary('Accept-Encoding');
  const encoding = takesBrotli(res.req) ? 'br' : takesGzip(res.req) ? 'gzip' : null;
  if (encoding) {
    const at = Math.floor(now / 1000) * 1000;
    const key = encoding === 'br' ? 'br' : 'gz';
    if (cached[key]?.at !== at) {
      const page = Buffer.concat([cached.pre, Buffer.from(stampForm(secret, at)), cached.post]);
      cached[key] = { at, body: encoding === 'br' ? brotli(page) : zlib.gzipSync(page) };
    }
    const body = cached[key]!.body;
    res.set({ 'Content-Encoding': encoding, 'Content-Length': String(body.length) });
    return void res.end(head ? undefined : body);
  }
  const stamp = Buffer.from(stampForm(secret, now));
  res.set('Content-Length', String(cached.pre.length + stamp.length + cached.post.length));
  if (head) return void res.end();
  res.cork();
  res.write(cached.pre);
  res.write(stamp);
  res.end(cached.post);
  res.uncork();
}
