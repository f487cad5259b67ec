// Owns the embed's HTTP API under /api/embed: CORS for the exact origin of an allowed site (others get
// nothing), bearer identity instead of cookies, and each route calling the same use case as the own page.
import express, { Router, type Request, type Response, type NextFunction } from 'express';
import { z } from 'zod';
import type { Site } from '../db/store';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import type { HttpContext } from '../http/http.context';
import { requestIpHash } from '../http/http.context';
import { enforce } from '../security/rate';
import { deleteComment, editComment, listReplies, toggleLike } from '../comments/comments.service';
import { editCommentSchema, listQuerySchema, parseId, parseInput, postCommentSchema, reportSchema } from '../comments/comments.schema';
import { reportComment } from '../moderation/moderation.service';
import { strings } from '../i18n/strings';
import { NEST_LIMIT } from '../comments/comments.html';
import { SITE_TZ_OFFSET_MINUTES } from '../articles/articles.page';
import { embedIdentity, httpCreds, SSO_HEADER } from './embed.identity';
import { pageSchema, resolvePage } from './embed.pages';
import { countPages, MAX_COUNT_PAGES, postOnPage, readPage } from './embed.service';
import type { SiteRegistry } from './embed.sites';
import { embedToolRoutes } from './embed.tools';

const repliesQuery = z.object({ after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });
const recentQuery = z.object({ limit: z.coerce.number().int().min(1).max(20).default(5) });
const langQuery = z.enum(['zh-CN', 'en']).optional();
const countsQuery = z.object({ page: z.union([z.string().max(200), z.array(z.string().max(200)).max(MAX_COUNT_PAGES)]) });

const siteOf = (res: Response): Site => res.locals.site as Site;

/** Exact-origin CORS: no credentials (nothing rides on cookies), preflight answered here. */
function cors(sites: SiteRegistry) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    const site = await sites.forOrigin(typeof origin === 'string' ? origin : undefined);
    if (!site) return next(new AppError('origin_not_allowed', 403, msg('origin_not_allowed')));
    res.set('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS') {
      res.set('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
      res.set('Access-Control-Allow-Headers', `Authorization, Content-Type, ${SSO_HEADER}`);
      res.set('Access-Control-Max-Age', '600');
      return void res.status(204).end();
    }
    res.locals.site = site;
    next();
  };
}

export function embedRouter(ctx: HttpContext, sites: SiteRegistry): Router {
  const r = Router();
  const { deps, limiters } = ctx;
  const json = express.json({ limit: deps.config.maxBodyBytes, strict: true });
  const who = (req: Request, res: Response, write: boolean) =>
    embedIdentity(deps.store, siteOf(res), httpCreds(req.headers), requestIpHash(ctx, req), deps.now(), write);

  r.use('/api/embed', cors(sites));

  // A view: reads the page's thread if it has one; creates nothing.
  r.get('/api/embed/thread', async (req, res) => {
    const p = parseInput(pageSchema, req.query);
    const q = parseInput(listQuerySchema, { sort: req.query.sort, cursor: req.query.cursor });
    const site = siteOf(res);
    const ref = resolvePage(site, p);
    const { actor, sso } = await who(req, res, false);
    const lang = parseInput(langQuery, req.query.lang) ?? deps.config.defaultLang;
    const view = await readPage(deps, site, ref, q, { authorId: actor.authorId }, ctx.pageCache);
    res.set('Cache-Control', 'private, no-cache');
    res.json({
      ...view,
      site: { name: site.name, ssoRequired: site.ssoRequired, loginUrl: site.loginUrl },
      viewer: { signedIn: sso ? { name: sso.name, avatar: sso.avatar } : null },
      meta: { strings: strings(lang), timeZone: deps.config.timeZone, nest: NEST_LIMIT, tz: SITE_TZ_OFFSET_MINUTES },
    });
  });

  r.get('/api/embed/counts', async (req, res) => {
    const { page } = parseInput(countsQuery, req.query);
    const counts = await countPages(deps, siteOf(res), Array.isArray(page) ? page : [page]);
    res.set('Cache-Control', 'no-cache');
    res.json({ counts });
  });

  r.get('/api/embed/recent', async (req, res) => {
    const { limit } = parseInput(recentQuery, req.query);
    const rows = await deps.store.embed.recent(siteOf(res).id, limit);
    res.set('Cache-Control', 'no-cache');
    res.json({ comments: rows.map((c) => ({ ...c, createdAt: new Date(c.createdAt).toISOString() })) });
  });

  r.get('/api/embed/comments/:id/replies', async (req, res) => {
    const id = parseId(req.params.id);
    const q = parseInput(repliesQuery, req.query);
    const { actor } = await who(req, res, false);
    res.set('Cache-Control', 'private, no-cache');
    res.json(await listReplies(deps, id, q, { authorId: actor.authorId }));
  });

  r.post('/api/embed/comments', json, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const p = parseInput(pageSchema, { page: body.page, url: body.url, title: body.title });
    const site = siteOf(res);
    const ref = resolvePage(site, p);
    const { actor, freshToken, sso } = await who(req, res, true);
    await enforce([limiters.postAttempt, actor.ipHash]);
    const input = parseInput(postCommentSchema, { authorName: sso ? sso.name : body.authorName, body: body.body, parentId: body.parentId });
    const { comment, slug } = await postOnPage(deps, site, ref, input, actor, sso);
    res.status(201).json({ comment, slug, ...(freshToken ? { token: freshToken } : {}) });
  });

  r.patch('/api/embed/comments/:id', json, async (req, res) => {
    const id = parseId(req.params.id);
    const { body } = parseInput(editCommentSchema, req.body);
    const { actor } = await who(req, res, true);
    await enforce([limiters.edit, actor.tokenHash]);
    res.json({ comment: await editComment(deps, id, body, actor) });
  });

  r.delete('/api/embed/comments/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const { actor } = await who(req, res, true);
    await enforce([limiters.edit, actor.tokenHash]);
    res.json(await deleteComment(deps, id, actor));
  });

  r.post('/api/embed/comments/:id/like', async (req, res) => {
    const id = parseId(req.params.id);
    const { actor, freshToken } = await who(req, res, true);
    await enforce([limiters.like, actor.tokenHash], [limiters.like, `ip:${actor.ipHash}`]);
    const out = await toggleLike(deps, id, actor);
    res.json({ id: out.id, likes: out.likes, liked: out.liked, ...(freshToken ? { token: freshToken } : {}) });
  });

  r.post('/api/embed/comments/:id/report', json, async (req, res) => {
    const id = parseId(req.params.id);
    const input = parseInput(reportSchema, req.body);
    const { actor, freshToken } = await who(req, res, true);
    await enforce([limiters.report, actor.tokenHash], [limiters.report, `ip:${actor.ipHash}`]);
    const out = await reportComment(deps, id, input, actor);
    res.status(201).json({ id: out.id, reported: true, ...(freshToken ? { token: freshToken } : {}) });
  });

  embedToolRoutes(r, ctx, who);
  return r;
}
