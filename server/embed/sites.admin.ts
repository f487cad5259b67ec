// Owns the console's site routes (admins only, each change audited): list, create and edit embedding sites,
// and list, rename and merge a site's page threads. The SSO secret is write-only: answers only say whether one is set.
import { z } from 'zod';
import type { Site } from '../db/store';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import type { HttpContext } from '../http/http.context';
import { parseHttpUrl } from '../http/url';
import { parseId, parseInput } from '../comments/comments.schema';
import type { AdminRoute } from '../moderation/moderation.routes';
import { mergePages } from './embed.merge';

const origin = z
  .string()
  .max(200)
  .refine((o) => parseHttpUrl(o)?.origin === o, { error: 'origins: each must be an exact origin such as https://news.example.com' });

const siteSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  origins: z.array(origin).max(20),
  moderationMode: z.enum(['post', 'pre']).nullable().default(null),
  /** Absent: keep; null: remove; a string: the new HS256 key (at least 32 characters). */
  ssoSecret: z.string().min(32).max(200).nullable().optional(),
  ssoRequired: z.boolean().default(false),
  loginUrl: z
    .string()
    .max(500)
    .refine((u) => parseHttpUrl(u) !== null, { error: 'loginUrl must be an http(s) URL' })
    .nullable()
    .default(null),
});

const renameSchema = z.strictObject({ title: z.string().trim().min(1).max(200) });
const mergeSchema = z.strictObject({ into: z.string().trim().min(1).max(200) });
const pagesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** What the console sees of a site: everything but the secret itself. */
export const publicSite = ({ ssoSecret, ...s }: Site) => ({ ...s, ssoEnabled: ssoSecret !== null });

export function sitesAdminRoutes(ctx: HttpContext): AdminRoute[] {
  const { deps } = ctx;
  const { store } = deps;
  const parse = (body: unknown, current?: Site) => {
    const input = parseInput(siteSchema, body ?? {});
    const ssoSecret = input.ssoSecret === undefined ? (current?.ssoSecret ?? null) : input.ssoSecret;
    if (input.ssoRequired && !ssoSecret) {
      throw new AppError('invalid_input', 422, msg('sso_invalid'), [{ field: 'ssoRequired', message: 'ssoRequired needs an ssoSecret' }]);
    }
    const secretChange = input.ssoSecret === undefined ? 'kept' : input.ssoSecret === null ? 'removed' : 'set';
    return { site: { ...input, ssoSecret }, secretChange };
  };
  const requireSite = async (raw: unknown) => {
    const site = await store.embed.getSite(parseId(raw));
    if (!site) throw new AppError('site_not_found', 404, msg('site_not_found'));
    return site;
  };
  return [
    {
      method: 'get',
      path: '/api/admin/sites',
      role: 'admin',
      handler: async (_req, res) => void res.json({ sites: (await store.embed.listSites()).map(publicSite) }),
    },
    {
      method: 'post',
      path: '/api/admin/sites',
      role: 'admin',
      handler: async (req, res, me) => {
        const { site, secretChange } = parse(req.body);
        const created = await store.embed.createSite(site, deps.now());
        await store.moderation.audit({ moderatorId: me.id, action: 'site.create', targetType: 'site', targetId: created.id, details: { name: site.name, origins: site.origins, moderationMode: site.moderationMode, ssoRequired: site.ssoRequired, ssoSecret: secretChange }, at: deps.now() });
        ctx.sites.invalidate();
        res.status(201).json({ site: publicSite(created) });
      },
    },
    {
      method: 'patch',
      path: '/api/admin/sites/:id',
      role: 'admin',
      handler: async (req, res, me) => {
        const current = await requireSite(req.params.id);
        const { site, secretChange } = parse(req.body, current);
        const updated = (await store.embed.updateSite(current.id, site))!;
        await store.moderation.audit({ moderatorId: me.id, action: 'site.update', targetType: 'site', targetId: current.id, details: { name: site.name, origins: site.origins, moderationMode: site.moderationMode, ssoRequired: site.ssoRequired, ssoSecret: secretChange }, at: deps.now() });
        ctx.sites.invalidate();
        res.json({ site: publicSite(updated) });
      },
    },
    {
      method: 'get',
      path: '/api/admin/sites/:id/pages',
      role: 'admin',
      handler: async (req, res) => {
        const site = await requireSite(req.params.id);
        const { limit } = parseInput(pagesQuery, req.query);
        res.json({ pages: await store.embed.listPages(site.id, limit) });
      },
    },
    {
      method: 'patch',
      path: '/api/admin/sites/:id/pages/:slug',
      role: 'admin',
      handler: async (req, res, me) => {
        const site = await requireSite(req.params.id);
        const { title } = parseInput(renameSchema, req.body);
        const slug = String(req.params.slug);
        if (!(await store.embed.renameThread(site.id, slug, title))) throw new AppError('article_not_found', 404, msg('article_not_found'));
        const article = (await store.articles.getBySlug(slug))!;
        await store.moderation.audit({ moderatorId: me.id, action: 'site.page_rename', targetType: 'article', targetId: article.id, details: { title }, at: deps.now() });
        res.json({ slug, title });
      },
    },
    {
      method: 'post',
      path: '/api/admin/sites/:id/pages/:slug/merge',
      role: 'admin',
      handler: async (req, res, me) => {
        const site = await requireSite(req.params.id);
        const { into } = parseInput(mergeSchema, req.body ?? {});
        res.json(await mergePages(deps, site, String(req.params.slug), into, me.id));
      },
    },
  ];
}
