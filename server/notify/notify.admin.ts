// Owns the console's notification routes: a moderator's own alert preference (immediately, hourly, off), and for
// admins the webhooks (create, edit, delete, send a test), the private-destination setting and the delivery log.
// Every route declares its role in one table, checked before the handler, as moderation.routes.ts does.
import crypto from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { parseId, parseInput } from '../comments/comments.schema';
import type { HttpContext } from '../http/http.context';
import { OUTBOX_KINDS, type Delivery, type Webhook } from '../db/notify.types';
import type { AdminRoute } from '../moderation/moderation.routes';
import { pickLang } from '../i18n/lang';
import { checkDestination } from './webhook.send';

const formatSchema = z.enum(['json', 'wecom', 'dingtalk', 'feishu']);
const eventsSchema = z.array(z.enum(OUTBOX_KINDS as [string, ...string[]])).min(1).max(OUTBOX_KINDS.length);
const createSchema = z.strictObject({
  url: z.string().min(1).max(2000),
  format: formatSchema,
  events: eventsSchema,
  /** A bot's own signing secret (钉钉/飞书 加签); generated when absent. */
  secret: z.string().min(16).max(200).optional(),
});
const updateSchema = z.strictObject({ url: z.string().min(1).max(2000).optional(), format: formatSchema.optional(), events: eventsSchema.optional(), enabled: z.boolean().optional() });
const alertSchema = z.strictObject({ email: z.email().max(254).optional(), mode: z.enum(['immediate', 'hourly', 'off']) });
const settingsSchema = z.strictObject({ webhooksAllowPrivate: z.boolean() });
const logQuery = z.object({ channel: z.enum(['mail', 'webhook']).default('webhook') });

/** What the console shows of a webhook: the secret only as its last four characters. */
const webhookJson = (w: Webhook) => ({ ...w, secret: undefined, secretHint: `…${w.secret.slice(-4)}`, createdAt: new Date(w.createdAt).toISOString() });

/** The log shows status, timing, code and attempts; never a payload (a mail's items, a confirmation token). */
const deliveryJson = (d: Delivery) => ({
  id: d.id,
  channel: d.channel,
  kind: d.kind,
  targetId: d.targetId,
  idemKey: d.idemKey,
  status: d.status,
  attempts: d.attempts,
  responseCode: d.responseCode,
  latencyMs: d.latencyMs,
  lastError: d.lastError,
  createdAt: new Date(d.createdAt).toISOString(),
  nextAt: d.status === 'pending' ? new Date(d.nextAt).toISOString() : null,
  doneAt: d.doneAt === null ? null : new Date(d.doneAt).toISOString(),
});

/** Declared in the admin route table (moderation.routes.ts), which checks the session and role first. */
export function notifyAdminRoutes(ctx: HttpContext): AdminRoute[] {
  const { deps } = ctx;
  // Read per request: building the table needs deps alone.
  const notify = { get mailEnabled() { return ctx.notify?.mailEnabled ?? false; }, nudge: () => ctx.notify?.nudge() };
  const { store } = deps;
  const requireHook = async (raw: unknown) => {
    const hook = await store.notify.getWebhook(parseId(raw));
    if (!hook) throw new AppError('webhook_not_found', 404, msg('webhook_not_found'));
    return hook;
  };
  const refuseUnsafe = async (url: string) => {
    const verdict = await checkDestination(url, await store.notify.getFlag('webhooksAllowPrivate'));
    if (verdict === 'invalid') throw new AppError('invalid_input', 400, msg('invalid_input', { problems: 'url' }), [{ field: 'url', message: 'http(s) URL' }]);
    if (verdict === 'private') throw new AppError('webhook_destination_refused', 422, msg('webhook_destination_refused'));
  };

  return [
    {
      method: 'get',
      path: '/api/admin/notify',
      role: 'moderator',
      handler: async (_req, res, me) => {
        const alert = await store.notify.getAlert(me.id);
        res.json({
          mailAvailable: notify.mailEnabled,
          alert: { mode: alert?.mode ?? 'off', emailSet: !!alert },
          webhooksAllowPrivate: await store.notify.getFlag('webhooksAllowPrivate'),
          events: OUTBOX_KINDS,
        });
      },
    },
    {
      method: 'post',
      path: '/api/admin/notify/alerts',
      role: 'moderator',
      handler: async (req, res, me) => {
        const input = parseInput(alertSchema, req.body ?? {});
        if (!notify.mailEnabled && input.mode !== 'off') throw new AppError('mail_unavailable', 404, msg('mail_unavailable'));
        const had = await store.notify.getAlert(me.id);
        const email = input.email ?? had?.email;
        if (!email) throw new AppError('invalid_input', 400, msg('invalid_input', { problems: 'email' }), [{ field: 'email', message: 'required' }]);
        const baseUrl = deps.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
        await store.notify.setAlert({ moderatorId: me.id, email, mode: input.mode, lang: pickLang(req, null, deps.config.defaultLang), baseUrl });
        deps.log.info('moderator alerts set', { moderator: me.id, mode: input.mode });
        res.json({ alert: { mode: input.mode, emailSet: true } });
      },
    },
    {
      method: 'post',
      path: '/api/admin/notify/settings',
      role: 'admin',
      handler: async (req, res, me) => {
        const { webhooksAllowPrivate } = parseInput(settingsSchema, req.body ?? {});
        await store.notify.setFlag('webhooksAllowPrivate', webhooksAllowPrivate);
        await store.moderation.audit({ moderatorId: me.id, action: 'notify_settings', targetType: 'site', targetId: null, details: { webhooksAllowPrivate }, at: deps.now() });
        res.json({ webhooksAllowPrivate });
      },
    },
    {
      method: 'get',
      path: '/api/admin/webhooks',
      role: 'admin',
      handler: async (_req, res) => void res.json({ webhooks: (await store.notify.listWebhooks()).map(webhookJson) }),
    },
    {
      method: 'post',
      path: '/api/admin/webhooks',
      role: 'admin',
      handler: async (req, res, me) => {
        const input = parseInput(createSchema, req.body ?? {});
        await refuseUnsafe(input.url);
        const secret = input.secret ?? crypto.randomBytes(24).toString('base64url');
        const hook = await store.notify.createWebhook({ url: input.url, format: input.format, events: input.events, secret, enabled: true, createdAt: deps.now() });
        await store.moderation.audit({ moderatorId: me.id, action: 'webhook_create', targetType: 'webhook', targetId: hook.id, at: deps.now() });
        // The secret is shown once, here, for the receiver's configuration.
        res.status(201).json({ webhook: webhookJson(hook), secret });
      },
    },
    {
      method: 'patch',
      path: '/api/admin/webhooks/:id',
      role: 'admin',
      handler: async (req, res, me) => {
        const hook = await requireHook(req.params.id);
        const input = parseInput(updateSchema, req.body ?? {});
        if (input.url) await refuseUnsafe(input.url);
        const updated = (await store.notify.updateWebhook(hook.id, input))!;
        await store.moderation.audit({ moderatorId: me.id, action: 'webhook_update', targetType: 'webhook', targetId: hook.id, at: deps.now() });
        res.json({ webhook: webhookJson(updated) });
      },
    },
    {
      method: 'delete',
      path: '/api/admin/webhooks/:id',
      role: 'admin',
      handler: async (req, res, me) => {
        const hook = await requireHook(req.params.id);
        await store.notify.deleteWebhook(hook.id);
        await store.moderation.audit({ moderatorId: me.id, action: 'webhook_delete', targetType: 'webhook', targetId: hook.id, at: deps.now() });
        res.json({ ok: true });
      },
    },
    {
      method: 'post',
      path: '/api/admin/webhooks/:id/test',
      role: 'admin',
      handler: async (req, res) => {
        const hook = await requireHook(req.params.id);
        const at = deps.now();
        const idemKey = `wh-${hook.id}-test-${crypto.randomUUID()}`;
        const payload = JSON.stringify({ id: idemKey, event: 'test', test: true, occurredAt: new Date(at).toISOString() });
        const id = await store.notify.addDelivery({ channel: 'webhook', idemKey, kind: 'test', targetId: hook.id, payload, nextAt: at, createdAt: at });
        notify.nudge();
        res.status(202).json({ deliveryId: id });
      },
    },
    {
      method: 'get',
      path: '/api/admin/deliveries',
      role: 'admin',
      handler: async (req, res) => {
        const { channel } = parseInput(logQuery, req.query);
        res.json({ deliveries: (await store.notify.listDeliveries(channel, 100)).map(deliveryJson) });
      },
    },
    {
      method: 'get',
      path: '/api/admin/deliveries/:id',
      role: 'admin',
      handler: async (req, res) => {
        const d = await store.notify.getDelivery(parseId(req.params.id));
        if (!d) throw new AppError('not_found', 404, msg('not_found_api'));
        res.json({ delivery: deliveryJson(d) });
      },
    },
  ];
}
