// Owns attempting one delivery: composes the mail at send time (so a reply removed meanwhile, or a reader banned
// meanwhile, is not mailed), or posts the webhook; answers what happened for the worker to record.
import type { Config } from '../config';
import type { CommentRow, Store } from '../db/store';
import type { Delivery } from '../db/notify.types';
import type { Secrets } from '../security/secrets';
import { timeFormat } from '../i18n/time';
import { STRINGS } from '../i18n/strings';
import { renderAlert, renderConfirm, renderReplies } from './mail.render';
import type { Mailer } from './notify.mailer';
import { unsubscribeToken } from './notify.tokens';
import { sendWebhook, type WebhookEvent } from './webhook.send';

export interface DeliverDeps {
  store: Store;
  config: Readonly<Config>;
  secrets: Secrets;
  mailer?: Mailer;
  now: () => number;
}

export type Attempt =
  | { result: 'sent'; responseCode?: number | null; latencyMs?: number }
  | { result: 'cancelled'; reason: string }
  | { result: 'error'; error: string; responseCode?: number | null; latencyMs?: number; final?: boolean };

const timeIn = (config: Readonly<Config>, lang: 'zh-CN' | 'en') => timeFormat(config.timeZone, STRINGS[lang]);
const origin = (config: Readonly<Config>, stored: string) => config.publicUrl ?? stored;

/** A thread's mails share one References id, so a mail client files them together. */
export const threadKey = (subscriptionId: number, articleId: number) => `thread-${articleId}-sub-${subscriptionId}`;

export async function attemptDelivery(deps: DeliverDeps, d: Delivery): Promise<Attempt> {
  const started = Date.now();
  try {
    if (d.channel === 'webhook') return await deliverWebhook(deps, d);
    if (!deps.mailer) return { result: 'cancelled', reason: 'mail is not configured' };
    const mail = await composeMail(deps, d);
    if ('cancel' in mail) return { result: 'cancelled', reason: mail.cancel };
    await deps.mailer.send(mail);
    return { result: 'sent', latencyMs: Date.now() - started };
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode ?? null;
    // A permanent SMTP refusal (5xx) will not change on retry.
    return { result: 'error', error: (err as Error).message.slice(0, 300), responseCode: code, latencyMs: Date.now() - started, final: code !== null && code >= 500 };
  }
}

async function deliverWebhook(deps: DeliverDeps, d: Delivery): Promise<Attempt> {
  const hook = await deps.store.notify.getWebhook(d.targetId);
  if (!hook || (!hook.enabled && d.kind !== 'test')) return { result: 'cancelled', reason: 'webhook removed or disabled' };
  const r = await sendWebhook({
    url: hook.url,
    format: hook.format,
    secret: hook.secret,
    event: JSON.parse(d.payload) as WebhookEvent,
    idemKey: d.idemKey,
    allowPrivate: await deps.store.notify.getFlag('webhooksAllowPrivate'),
    timeoutMs: deps.config.notify.webhookTimeoutMs,
    now: deps.now,
  });
  if (r.ok) return { result: 'sent', responseCode: r.status, latencyMs: r.latencyMs };
  return { result: 'error', error: r.error ?? 'failed', responseCode: r.status, latencyMs: r.latencyMs, final: r.refused };
}

type Composed = Parameters<Mailer['send']>[0] | { cancel: string };

async function composeMail(deps: DeliverDeps, d: Delivery): Promise<Composed> {
  const { store, config, secrets } = deps;
  if (d.kind === 'confirm') {
    const p = JSON.parse(d.payload) as { token?: string };
    const sub = await store.notify.getSubscription(d.targetId);
    if (!sub || !p.token || sub.confirmedAt !== null) return { cancel: 'subscription gone or already confirmed' };
    const article = await store.articles.getById(sub.articleId);
    const confirmUrl = `${origin(config, sub.baseUrl)}/subscriptions/confirm?token=${encodeURIComponent(p.token)}`;
    return { to: sub.email, idemKey: d.idemKey, ...renderConfirm({ lang: sub.lang, title: article?.title ?? '', scope: sub.scope, confirmUrl }) };
  }
  const items = await store.notify.itemsOf(d.id);
  const byId = new Map((await store.comments.getMany(items.map((i) => i.commentId))).map((c) => [c.id, c]));
  if (d.kind === 'replies') {
    const sub = await store.notify.getSubscription(d.targetId);
    if (!sub || sub.confirmedAt === null) return { cancel: 'unsubscribed' };
    if (await store.moderation.activeBan(sub.authorId, null, deps.now())) return { cancel: 'reader banned' };
    // Removed (or held again) before the mail left: that reply is not mailed.
    const live = items.map((i) => byId.get(i.commentId)).filter((c): c is CommentRow => c?.status === 'published');
    if (!live.length) return { cancel: 'every reply was removed' };
    const article = await store.articles.getById(sub.articleId);
    const base = origin(config, sub.baseUrl);
    const page = `${base}/articles/${encodeURIComponent(article?.slug ?? '')}`;
    const time = timeIn(config, sub.lang);
    const unsub = (all: boolean) => `${base}/subscriptions/unsubscribe?token=${unsubscribeToken(secrets.sessionSecret, sub.id, all)}`;
    const mail = renderReplies({
      lang: sub.lang,
      title: article?.title ?? '',
      items: live.map((c) => ({ authorName: c.authorName, replyToName: c.replyToName, body: c.body, link: `${page}#c-${c.id}`, time: time.full(c.createdAt) })),
      unsubscribeThread: unsub(false),
      unsubscribeAll: unsub(true),
    });
    return {
      to: sub.email,
      idemKey: d.idemKey,
      thread: threadKey(sub.id, sub.articleId),
      // RFC 8058: a mail client may unsubscribe with one POST to this URL, without opening a page.
      headers: { 'List-Unsubscribe': `<${unsub(false)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      ...mail,
    };
  }
  if (d.kind === 'alert') {
    const alert = await store.notify.getAlert(d.targetId);
    if (!alert || alert.mode === 'off') return { cancel: 'alerts off' };
    // Only what still waits: held and not yet decided, reported with reports still open.
    const waiting = (kind: string, c: CommentRow | undefined) => !!c && (kind === 'held' ? c.status === 'pending' : c.reportsOpen > 0);
    const rows = items.map((i) => ({ i, c: byId.get(i.commentId) })).filter((x): x is { i: typeof x.i; c: CommentRow } => waiting(x.i.kind, x.c));
    if (!rows.length) return { cancel: 'already handled' };
    const titles = new Map<number, string>();
    for (const { c } of rows) if (!titles.has(c.articleId)) titles.set(c.articleId, (await store.articles.getById(c.articleId))?.title ?? '');
    const time = timeIn(config, alert.lang);
    const mail = renderAlert({
      lang: alert.lang,
      consoleUrl: `${origin(config, alert.baseUrl)}/admin`,
      items: rows.map(({ i, c }) => ({ kind: i.kind === 'reported' ? 'reported' : 'held', articleTitle: titles.get(c.articleId)!, authorName: c.authorName, body: c.body, time: time.full(c.createdAt) })),
    });
    return { to: alert.email, idemKey: d.idemKey, ...mail };
  }
  return { cancel: `unknown mail kind ${d.kind}` };
}
