// Owns the reader-side notification use cases: the reply inbox (list, mark read) and mail subscriptions
// (subscribe with double opt-in, confirm, unsubscribe). Called by the HTTP routes; the worker delivers.
import type { Deps } from '../deps';
import type { MailLang, SubscriptionScope } from '../db/notify.types';
import type { Subscription } from '../db/notify.types';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { requireArticle } from '../comments/comments.service';
import { hashConfirmToken, newConfirmToken, readUnsubscribeToken } from './notify.tokens';
import { toInboxEntry, type InboxEntry } from './notify.view';

export const INBOX_LIMIT = 50;

export interface NotifyDeps extends Deps {
  mailEnabled: boolean;
  /** Asks the worker for a pass now (a confirmation mail is waiting). */
  nudge(): void;
}

export async function listReplies(deps: Deps, authorId: number | null): Promise<{ unread: number; items: InboxEntry[] }> {
  if (authorId === null) return { unread: 0, items: [] };
  const { items, unread } = await deps.store.notify.inbox(authorId, INBOX_LIMIT);
  const comments = new Map((await deps.store.comments.getMany(items.map((i) => i.commentId))).map((c) => [c.id, c]));
  const articles = new Map<number, { slug: string; title: string }>();
  const out: InboxEntry[] = [];
  for (const i of items) {
    const c = comments.get(i.commentId);
    // A reply removed since it arrived leaves the inbox (it stays counted until read: marking all read clears it).
    if (!c || c.status !== 'published') continue;
    if (!articles.has(c.articleId)) {
      const a = await deps.store.articles.getById(c.articleId);
      if (a) articles.set(a.id, a);
    }
    const a = articles.get(c.articleId);
    if (a) out.push(toInboxEntry(c, a, i.readAt));
  }
  return { unread, items: out };
}

export async function markRepliesRead(deps: Deps, authorId: number | null, ids: number[] | null): Promise<{ unread: number }> {
  if (authorId === null) return { unread: 0 };
  await deps.store.notify.markRead(authorId, ids, deps.now());
  return { unread: (await deps.store.notify.inbox(authorId, 0)).unread };
}

export interface SubscribeInput {
  email: string;
  scope: SubscriptionScope;
  article: string;
  lang: MailLang;
  /** The origin links in the mail point to (PUBLIC_URL wins when set). */
  baseUrl: string;
}

/** Stores the request and queues the confirmation mail; nothing else is sent before the link is followed. */
export async function subscribe(deps: NotifyDeps, input: SubscribeInput, authorId: number): Promise<{ confirmed: boolean }> {
  if (!deps.mailEnabled) throw new AppError('mail_unavailable', 404, msg('mail_unavailable'));
  const article = await requireArticle(deps, input.article);
  const token = newConfirmToken();
  const at = deps.now();
  const r = await deps.store.notify.subscribe({
    authorId,
    articleId: article.id,
    scope: input.scope,
    email: input.email,
    lang: input.lang,
    baseUrl: deps.config.publicUrl ?? input.baseUrl,
    confirmHash: hashConfirmToken(token),
    createdAt: at,
  });
  if (!r.needsConfirm) return { confirmed: true };
  // The token travels in the mail only; the row keeps its hash. The payload is emptied once sent.
  await deps.store.notify.addDelivery({ channel: 'mail', idemKey: `confirm-${r.id}-${hashConfirmToken(token).slice(0, 16)}`, kind: 'confirm', targetId: r.id, payload: JSON.stringify({ token }), nextAt: at, createdAt: at });
  deps.log.info('subscription requested', { subscription: r.id, article: article.slug, scope: input.scope });
  deps.nudge();
  return { confirmed: false };
}

export async function confirmSubscription(deps: Deps, token: string): Promise<Subscription | undefined> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
  const sub = await deps.store.notify.confirm(hashConfirmToken(token), deps.now());
  if (sub) deps.log.info('subscription confirmed', { subscription: sub.id });
  return sub;
}

export async function unsubscribe(deps: Deps, secret: string, token: string): Promise<boolean> {
  const t = readUnsubscribeToken(secret, token);
  if (!t) return false;
  const n = await deps.store.notify.unsubscribe(t.id, t.all);
  deps.log.info('unsubscribed', { subscription: t.id, all: t.all, removed: n });
  return true;
}
