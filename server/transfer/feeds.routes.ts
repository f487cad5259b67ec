// Owns the Atom feeds of published comments: /comments.atom (the site) and /articles/:slug/comments.atom.
// Cacheable by anyone: the ETag is the article's event seq (or the sum of them), so a poll costs one lookup.
import { Router, type Request, type Response } from 'express';
import type { HttpContext } from '../http/http.context';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { fill, strings } from '../i18n/strings';
import { renderAtom } from './feeds.atom';

/** Entries per feed. */
export const FEED_ENTRIES = 50;

export function feedsRouter(ctx: HttpContext): Router {
  const r = Router();
  const { store, config } = ctx.deps;
  const base = (req: Request) => config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

  const send = async (req: Request, res: Response, version: number, key: string, render: () => Promise<string>) => {
    const etag = `W/"${key}-${version}"`;
    res.set({ ETag: etag, 'Cache-Control': 'public, max-age=60', Vary: 'Accept-Encoding' });
    if (req.get('if-none-match') === etag) return void res.status(304).end();
    res.type('application/atom+xml; charset=utf-8').send(await render());
  };

  r.get('/comments.atom', async (req, res) => {
    const t = strings();
    await send(req, res, await store.transfer.feedVersion(null), 'site', async () =>
      renderAtom({
        base: base(req),
        selfPath: '/comments.atom',
        pagePath: '/',
        title: fill(t.feedSite, { site: t.siteName }),
        emptyUpdated: 0,
        comments: await store.transfer.recentPublished(null, FEED_ENTRIES),
      }),
    );
  });

  r.get('/articles/:slug/comments.atom', async (req, res) => {
    const article = await store.articles.getBySlug(String(req.params.slug));
    if (!article) throw new AppError('article_not_found', 404, msg('article_not_found'));
    const path = `/articles/${encodeURIComponent(article.slug)}`;
    await send(req, res, article.seq, `a${article.id}`, async () =>
      renderAtom({
        base: base(req),
        selfPath: `${path}/comments.atom`,
        pagePath: path,
        title: fill(strings().feedArticle, { title: article.title }),
        emptyUpdated: article.createdAt,
        comments: await store.transfer.recentPublished(article.id, FEED_ENTRIES),
      }),
    );
  });

  return r;
}
