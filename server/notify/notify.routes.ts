// Owns the reader-side notification routes: the reply inbox (GET /api/me/replies, POST /api/me/replies/read),
// subscribing (POST /api/subscriptions, 202), and the pages the mail links open: confirm and unsubscribe, each a
// GET that shows a button and a POST that acts (mail scanners follow GETs), the unsubscribe POST doubling as
// RFC 8058 one-click. No answer ever carries an email address.
import crypto from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { httpActor, requestIpHash, setAuthorCookie, type HttpContext } from '../http/http.context';
import { hashToken, readAuthorToken } from '../identity/author.cookie';
import { resolveActor } from '../identity/actor';
import { parseInput } from '../comments/comments.schema';
import { enforce } from '../security/rate';
import { pickLang } from '../i18n/lang';
import { MAIL_STRINGS } from '../i18n/mail.strings';
import { confirmSubscription, listReplies, markRepliesRead, subscribe, unsubscribe, type NotifyDeps } from './notify.service';

export const readSchema = z.strictObject({ ids: z.array(z.number().int().positive()).max(100).optional() });
const subscribeSchema = z.strictObject({
  email: z.email().max(254),
  scope: z.enum(['replies', 'thread']),
  article: z.string().min(1).max(100),
});
const tokenQuery = z.object({ token: z.string().min(1).max(200) });

export function notifyRouter(ctx: HttpContext, notify: { mailEnabled: boolean; nudge(): void }): Router {
  const r = Router();
  const { deps, limiters } = ctx;
  const nd: NotifyDeps = { ...deps, ...notify };
  const json = express.json({ limit: 2048, strict: true });
  const form = express.urlencoded({ extended: false, limit: 1024, parameterLimit: 5 });

  /** The reader behind the cookie, without creating one (reading an inbox creates nothing). */
  const reader = async (req: Request) => {
    const token = readAuthorToken(req.headers.cookie);
    return token ? (await resolveActor(deps.store, hashToken(token), requestIpHash(ctx, req))).authorId : null;
  };

  r.get('/api/me/replies', async (req, res) => {
    res.set('Cache-Control', 'private, no-store');
    res.json({ ...(await listReplies(deps, await reader(req))), mailAvailable: notify.mailEnabled });
  });

  r.post('/api/me/replies/read', json, async (req, res) => {
    res.set('Cache-Control', 'private, no-store');
    const { ids } = parseInput(readSchema, req.body ?? {});
    const { actor } = await httpActor(ctx, req);
    await enforce([limiters.edit, `read:${actor.tokenHash}`]);
    res.json(await markRepliesRead(deps, actor.authorId, ids ?? null));
  });

  r.post('/api/subscriptions', json, async (req, res) => {
    res.set('Cache-Control', 'private, no-store');
    const input = parseInput(subscribeSchema, req.body ?? {});
    const { actor, freshToken } = await httpActor(ctx, req);
    // Each request may mail an address: per identity, per network and per address.
    const mailKey = crypto.createHash('sha256').update(input.email.toLowerCase()).digest('base64url');
    await enforce([limiters.edit, `sub:${actor.tokenHash}`], [limiters.edit, `sub-ip:${actor.ipHash}`], [limiters.report, `sub-mail:${mailKey}`]);
    const authorId = actor.authorId ?? (await deps.store.authors.ensure(actor.tokenHash, deps.now(), actor.ipHash));
    const lang = pickLang(req, null, deps.config.defaultLang);
    const result = await subscribe(nd, { ...input, lang, baseUrl: `${req.protocol}://${req.get('host')}` }, authorId);
    setAuthorCookie(ctx, req, res, freshToken);
    res.status(202).json(result);
  });

  const page = (req: Request, res: Response, status: number, heading: string, body: string, formAction?: string, label?: string) => {
    const lang = pickLang(req, null, deps.config.defaultLang);
    res.status(status).set('Cache-Control', 'no-store').render('notify-notice', { lang, heading, body, form: formAction ? { action: formAction, label } : null });
  };
  const m = (req: Request) => MAIL_STRINGS[pickLang(req, null, deps.config.defaultLang)];

  r.get('/subscriptions/confirm', (req, res) => {
    const { token } = parseInput(tokenQuery, req.query);
    const t = m(req);
    page(req, res, 200, t.confirmAction, '', `/subscriptions/confirm?token=${encodeURIComponent(token)}`, t.confirmAction);
  });
  r.post('/subscriptions/confirm', form, async (req, res) => {
    const { token } = parseInput(tokenQuery, req.query);
    const t = m(req);
    const sub = await confirmSubscription(deps, token);
    if (sub) page(req, res, 200, t.confirmedTitle, t.confirmedBody);
    else page(req, res, 410, t.invalidLinkTitle, t.invalidLinkBody);
  });

  r.get('/subscriptions/unsubscribe', (req, res) => {
    const { token } = parseInput(tokenQuery, req.query);
    const t = m(req);
    page(req, res, 200, t.unsubscribeConfirm, '', `/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`, t.unsubscribeConfirm);
  });
  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" here with no cookies; our own page's button posts the same.
  r.post('/subscriptions/unsubscribe', form, async (req, res) => {
    const { token } = parseInput(tokenQuery, req.query);
    const t = m(req);
    if (await unsubscribe(deps, ctx.secrets.sessionSecret, token)) page(req, res, 200, t.unsubscribedTitle, t.unsubscribedBody);
    else page(req, res, 410, t.invalidLinkTitle, t.invalidLinkBody);
  });

  return r;
}
