// Owns the /api/admin JSON API. Every route is declared in one table with the role it needs, so the
// guard cannot be forgotten and the tests can enumerate them. The /admin pages are in admin.pages.ts.
import express, { Router, type Request, type Response } from 'express';
import { AppError } from '../errors';
import { parseId, parseInput } from '../comments/comments.schema';
import type { HttpContext } from '../http/http.context';
import type { AuditEntry as AuditEntryJson } from '../../contracts/moderation';
import { msg } from '../i18n/messages';
import type { Moderator, Role } from '../db/moderators.types';
import * as auth from './auth.service';
import * as mod from './moderation.service';
import { toQueueItems } from './moderation.queue';
import { readSessionToken, SESSION_COOKIE } from './session.cookie';
import { currentModerator, publicModerator, signIn } from './moderation.session';
import {
  actionSchema,
  articleSettingsSchema,
  banSchema,
  bulkSchema,
  createModeratorSchema,
  idsQuerySchema,
  passwordSchema,
  queueQuerySchema,
  siteSettingsSchema,
  updateModeratorSchema,
  wordSchema,
} from './moderation.schema';
import { importAdminRoutes } from '../transfer/import.routes';
import { notifyAdminRoutes } from '../notify/notify.admin';
import { sitesAdminRoutes } from '../embed/sites.admin';
import { heatAdminRoutes } from '../heat/heat.admin';

export interface AdminRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  /** 'moderator' = any signed-in moderator; 'admin' = admins only. */
  role: Role;
  handler: (req: Request, res: Response, me: Moderator) => Promise<void>;
}

export function adminRoutes(ctx: HttpContext): AdminRoute[] {
  const { deps } = ctx;
  const { store } = deps;
  const articleId = async (slug?: string) => {
    if (!slug) return undefined;
    const a = await store.articles.getBySlug(slug);
    if (!a) throw new AppError('article_not_found', 404, msg('article_not_found'));
    return a.id;
  };
  const counts = async (slug?: string) => store.moderation.queueCounts(await articleId(slug));
  const act = (action: mod.ModAction): AdminRoute => ({
    method: 'post',
    path: `/api/admin/comments/:id/${action}`,
    role: 'moderator',
    handler: async (req, res, me) => {
      const id = parseId(req.params.id);
      const { reason } = parseInput(actionSchema, req.body ?? {});
      const c = await mod.moderateComment(deps, me, id, action, reason);
      res.json({ item: (await toQueueItems(deps, [c]))[0] });
    },
  });

  return [
    {
      method: 'get',
      path: '/api/admin/me',
      role: 'moderator',
      handler: async (_req, res, me) => void res.json({ moderator: publicModerator(me) }),
    },
    {
      method: 'get',
      path: '/api/admin/queue',
      role: 'moderator',
      handler: async (req, res) => {
        const q = parseInput(queueQuerySchema, req.query);
        const rows = await store.moderation.listQueue({ queue: q.queue, articleId: await articleId(q.article), afterId: q.cursor, limit: q.limit + 1 });
        const page = rows.slice(0, q.limit);
        res.json({
          queue: q.queue,
          items: await toQueueItems(deps, page),
          nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
          counts: await counts(q.article),
        });
      },
    },
    {
      method: 'get',
      path: '/api/admin/comments',
      role: 'moderator',
      handler: async (req, res) => {
        const { ids } = parseInput(idsQuerySchema, req.query);
        res.json({ items: await toQueueItems(deps, await store.comments.getMany(ids)) });
      },
    },
    {
      method: 'get',
      path: '/api/admin/counts',
      role: 'moderator',
      handler: async (req, res) => void res.json({ counts: await counts(typeof req.query.article === 'string' ? req.query.article : undefined) }),
    },
    act('approve'),
    act('reject'),
    act('restore'),
    act('pin'),
    act('unpin'),
    act('feature'),
    act('unfeature'),
    {
      method: 'post',
      path: '/api/admin/comments/bulk',
      role: 'moderator',
      handler: async (req, res, me) => {
        const b = parseInput(bulkSchema, req.body);
        res.json({ results: await mod.moderateMany(deps, me, b.ids, b.action, b.reason) });
      },
    },
    {
      method: 'get',
      path: '/api/admin/bans',
      role: 'moderator',
      handler: async (req, res) => void res.json({ bans: await mod.listBans(deps, req.query.all === '1') }),
    },
    {
      method: 'post',
      path: '/api/admin/bans',
      role: 'moderator',
      handler: async (req, res, me) => void res.status(201).json(await mod.banFromComment(deps, me, parseInput(banSchema, req.body))),
    },
    {
      method: 'delete',
      path: '/api/admin/bans/:id',
      role: 'moderator',
      handler: async (req, res, me) => void res.json({ ban: await mod.liftBan(deps, me, parseId(req.params.id)) }),
    },
    {
      method: 'get',
      path: '/api/admin/articles',
      role: 'moderator',
      handler: async (_req, res) => {
        const list = await store.articles.list();
        res.json({ articles: list.map((a) => ({ slug: a.slug, title: a.title, commentCount: a.commentCount, moderationMode: a.moderationMode, commentsClosed: a.commentsClosed, slowModeSeconds: a.slowModeSeconds })) });
      },
    },
    {
      method: 'patch',
      path: '/api/admin/articles/:slug',
      role: 'moderator',
      handler: async (req, res, me) => {
        const a = await mod.updateArticleSettings(deps, me, String(req.params.slug), parseInput(articleSettingsSchema, req.body));
        res.json({ article: { slug: a.slug, title: a.title, commentCount: a.commentCount, moderationMode: a.moderationMode, commentsClosed: a.commentsClosed, slowModeSeconds: a.slowModeSeconds } });
      },
    },
    {
      method: 'get',
      path: '/api/admin/audit',
      role: 'moderator',
      handler: async (req, res) => {
        const before = typeof req.query.before === 'string' && /^\d{1,15}$/.test(req.query.before) ? Number(req.query.before) : undefined;
        const entries = await store.moderation.listAudit({ beforeId: before, limit: 101 });
        const page = entries.slice(0, 100);
        res.json({
          entries: page.map((e): AuditEntryJson => ({ ...e, createdAt: new Date(e.createdAt).toISOString() })),
          nextCursor: entries.length > 100 ? String(page[page.length - 1].id) : null,
        });
      },
    },
    {
      method: 'get',
      path: '/api/admin/settings',
      role: 'moderator',
      handler: async (_req, res) => void res.json({ settings: await deps.policy.settings() }),
    },
    {
      method: 'patch',
      path: '/api/admin/settings',
      role: 'admin',
      handler: async (req, res, me) => void res.json({ settings: await mod.updateSiteSettings(deps, me, parseInput(siteSettingsSchema, req.body)) }),
    },
    {
      method: 'get',
      path: '/api/admin/words',
      role: 'moderator',
      handler: async (_req, res) => void res.json({ words: await store.moderation.listWords() }),
    },
    {
      method: 'post',
      path: '/api/admin/words',
      role: 'admin',
      handler: async (req, res, me) => {
        const w = parseInput(wordSchema, req.body);
        res.status(201).json({ word: await mod.addWord(deps, me, w.word, w.kind) });
      },
    },
    {
      method: 'delete',
      path: '/api/admin/words/:id',
      role: 'admin',
      handler: async (req, res, me) => void res.json({ word: await mod.removeWord(deps, me, parseId(req.params.id)) }),
    },
    {
      method: 'get',
      path: '/api/admin/moderators',
      role: 'admin',
      handler: async (_req, res) => void res.json({ moderators: (await store.moderators.list()).map(publicModerator) }),
    },
    {
      method: 'post',
      path: '/api/admin/moderators',
      role: 'admin',
      handler: async (req, res, me) => {
        const m = parseInput(createModeratorSchema, req.body);
        const created = await auth.createModerator(deps, m.username, m.password, m.role);
        await store.moderation.audit({ moderatorId: me.id, action: 'moderator.create', targetType: 'moderator', targetId: created.id, details: { username: created.username, role: created.role }, at: deps.now() });
        res.status(201).json({ moderator: publicModerator(created) });
      },
    },
    {
      method: 'patch',
      path: '/api/admin/moderators/:id',
      role: 'admin',
      handler: async (req, res, me) => {
        const id = parseId(req.params.id);
        const u = parseInput(updateModeratorSchema, req.body);
        const target = await store.moderators.get(id);
        if (!target) throw new AppError('moderator_not_found', 404, msg('moderator_not_found'));
        const demotes = (u.role === 'moderator' || u.disabled === true) && target.role === 'admin' && !target.disabled;
        if (demotes && (await store.moderators.countActiveAdmins()) <= 1) throw new AppError('last_admin', 422, msg('last_admin'));
        if (u.password !== undefined) auth.validatePassword(u.password);
        const updated = await store.moderators.update(id, { role: u.role, disabled: u.disabled, passwordHash: u.password === undefined ? undefined : await auth.hashPassword(u.password, auth.scryptParams(deps.config)) });
        if (u.disabled || u.password !== undefined) {
          await store.moderators.deleteSessionsOf(id);
          deps.publish({ type: 'moderator.signed_out', moderatorId: id });
        }
        await store.moderation.audit({ moderatorId: me.id, action: 'moderator.update', targetType: 'moderator', targetId: id, details: { role: u.role, disabled: u.disabled, password: u.password !== undefined }, at: deps.now() });
        res.json({ moderator: publicModerator(updated!) });
      },
    },
    {
      method: 'post',
      path: '/api/admin/moderators/:id/logout-everywhere',
      role: 'admin',
      handler: async (req, res, me) => {
        const id = parseId(req.params.id);
        if (!(await store.moderators.get(id))) throw new AppError('moderator_not_found', 404, msg('moderator_not_found'));
        const ended = await store.moderators.deleteSessionsOf(id);
        deps.publish({ type: 'moderator.signed_out', moderatorId: id });
        await store.moderation.audit({ moderatorId: me.id, action: 'moderator.logout_everywhere', targetType: 'moderator', targetId: id, details: { sessions: ended }, at: deps.now() });
        res.json({ sessionsEnded: ended });
      },
    },
    {
      method: 'post',
      path: '/api/admin/password',
      role: 'moderator',
      handler: async (req, res, me) => {
        const p = parseInput(passwordSchema, req.body);
        await auth.changePassword(deps, me, p.current, p.next);
        deps.publish({ type: 'moderator.signed_out', moderatorId: me.id });
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        res.json({ ok: true });
      },
    },
    {
      method: 'post',
      path: '/api/admin/logout',
      role: 'moderator',
      handler: async (req, res) => {
        const token = readSessionToken(req.headers.cookie, ctx.secrets.sessionSecret);
        if (token) await auth.logout(deps, token);
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        res.json({ ok: true });
      },
    },
    ...importAdminRoutes(ctx),
    ...notifyAdminRoutes(ctx),
    ...sitesAdminRoutes(ctx),
    ...heatAdminRoutes(ctx),
  ];
}

export function adminRouter(ctx: HttpContext): Router {
  const r = Router();
  const json = express.json({ limit: ctx.deps.config.maxBodyBytes, strict: true });

  r.post('/api/admin/login', json, async (req, res) => {
    const result = await signIn(ctx, req, res);
    res.json({ moderator: publicModerator(result.moderator), expiresAt: new Date(result.expiresAt).toISOString(), loginNotice: result.notice });
  });

  for (const route of adminRoutes(ctx)) {
    r[route.method](route.path, json, async (req: Request, res: Response) => {
      res.set('Cache-Control', 'no-store');
      const me = await currentModerator(ctx, req);
      if (!me) throw new AppError('unauthenticated', 401, msg('unauthenticated'));
      if (route.role === 'admin' && me.role !== 'admin') throw new AppError('forbidden', 403, msg('forbidden'));
      await route.handler(req, res, me);
    });
  }
  return r;
}
