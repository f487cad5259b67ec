// Owns the article routes: the article pages (server-rendered thread) and GET /api/articles.
import { Router, type Request, type Response } from 'express';
import { strings } from '../i18n/strings';
import { pickLang } from '../i18n/lang';
import { msg } from '../i18n/messages';
import { AppError } from '../errors';
import { listQuerySchema, parseInput } from '../comments/comments.schema';
import { requestIpHash, type HttpContext } from '../http/http.context';
import { readReader, setCacheControl } from '../http/http.caching';
import { renderArticlePage, type FormState } from './articles.page';
import { defaultArticle, listArticles } from './articles.service';
import type { Article } from '../db/store';
import { isPageSlug } from '../embed/embed.pages';

export function articlesRouter(ctx: HttpContext): Router {
  const r = Router();
  const { store } = ctx.deps;

  r.get('/api/articles', async (_req, res) => {
    res.json({ articles: await listArticles(store) });
  });

  const page = async (req: Request, res: Response, article: Article) => {
    const q = parseInput(listQuerySchema, { sort: req.query.sort, cursor: req.query.cursor });
    // A view never mints the author cookie (the first post, like or report does): a page that sets no cookie
    // can be kept by a shared cache for everyone without one.
    const reader = await readReader(ctx, req);
    const form: FormState = {};
    const lang = pickLang(req, res, ctx.deps.config.defaultLang);
    let status = 200;
    let replyRaw = req.query.reply;
    if (typeof req.query.form === 'string') {
      const kept = ctx.formErrors.get(req.query.form, requestIpHash(ctx, req));
      if (kept && kept.slug === article.slug) {
        Object.assign(form, { authorName: kept.authorName, body: kept.body, error: kept.error, fields: kept.fields });
        status = kept.status;
        if (kept.parentId) replyRaw = String(kept.parentId);
      } else form.error = strings(lang).formExpired;
    }
    const replyTo = typeof replyRaw === 'string' && /^\d{1,15}$/.test(replyRaw) ? Number(replyRaw) : null;
    if (replyTo) {
      const parent = await store.comments.get(replyTo);
      if (parent && parent.articleId === article.id && parent.status === 'published') {
        form.parentId = parent.id;
        form.replyToName = parent.authorName;
      }
    }
    if (req.query.posted === 'pending') form.notice = strings(lang).postedPending;
    setCacheControl(res, reader);
    // A kept form holds what one reader typed: never for a shared cache.
    if (typeof req.query.form === 'string' || replyTo) res.set('Cache-Control', 'private, no-cache');
    res.vary('Accept-Language');
    const expand = typeof req.query.replies === 'string' && /^\d{1,15}$/.test(req.query.replies) ? Number(req.query.replies) : undefined;
    await renderArticlePage(res, ctx, article, { viewer: { authorId: reader.authorId }, sort: q.sort, cursor: q.cursor, form, lang, status, expand });
  };

  r.get('/', async (req, res) => {
    const article = await defaultArticle(store, ctx.deps.config.defaultArticle);
    if (!article) throw new AppError('article_not_found', 404, msg('no_articles'));
    await page(req, res, article);
  });

  r.get('/articles/:slug', async (req, res) => {
    const slug = String(req.params.slug);
    const article = await store.articles.getBySlug(slug);
    if (!article) throw new AppError('article_not_found', 404, msg('article_not_found'));
    // An embedded page's thread merged into another (it was closed then): its address leads to that one.
    const into = article.commentsClosed && isPageSlug(slug) ? await store.embed.mergedInto(slug) : undefined;
    if (into) return void res.redirect(301, `/articles/${encodeURIComponent(into)}`);
    await page(req, res, article);
  });

  return r;
}
