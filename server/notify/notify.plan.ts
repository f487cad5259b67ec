// Owns what one outbox event leads to: a reply in the replied-to author's inbox, items for subscribers' and
// moderators' next mails, and one delivery per webhook that listens to the event. Pure reads; the worker
// writes the plan in one transaction with the event marked done, so a crash replays it without doubles.
import type { Store } from '../db/store';
import type { EventPlan, NewDelivery, OutboxEvent } from '../db/notify.types';
import type { WebhookEvent } from './webhook.send';

export interface PlanDeps {
  store: Store;
  /** Mail is configured (SMTP_URL): without it no mail item is queued. */
  mail: boolean;
  /** Absolute origin for links, when PUBLIC_URL is set. */
  publicUrl?: string;
}

export const webhookKey = (hookId: number, eventId: number) => `wh-${hookId}-ev-${eventId}`;

export async function planEvent(deps: PlanDeps, e: OutboxEvent): Promise<EventPlan> {
  const { store } = deps;
  const plan: EventPlan = { inbox: [], pending: [], deliveries: [] };
  const c = e.commentId === null ? undefined : await store.comments.get(e.commentId);
  const article = c ? await store.articles.getById(c.articleId) : undefined;

  if (e.kind === 'comment.created' && c && c.status === 'published' && article) {
    const parent = c.parentId === null ? undefined : await store.comments.get(c.parentId);
    const repliedTo = parent && parent.authorId !== c.authorId ? parent.authorId : null;
    if (repliedTo !== null) plan.inbox.push({ authorId: repliedTo, commentId: c.id, createdAt: e.createdAt });
    if (deps.mail) {
      for (const sub of await store.notify.subscribersOf(c.articleId, repliedTo)) {
        if (sub.authorId === c.authorId) continue;
        plan.pending.push({ recipient: `sub:${sub.id}`, commentId: c.id, kind: 'reply', createdAt: e.createdAt });
      }
    }
  }
  if ((e.kind === 'comment.held' || e.kind === 'comment.reported') && c && deps.mail) {
    for (const alert of await store.notify.activeAlerts()) {
      plan.pending.push({ recipient: `mod:${alert.moderatorId}`, commentId: c.id, kind: e.kind === 'comment.held' ? 'held' : 'reported', createdAt: e.createdAt });
    }
  }

  const hooks = (await store.notify.listWebhooks()).filter((h) => h.enabled && h.events.includes(e.kind));
  if (hooks.length) {
    const base = deps.publicUrl ?? '';
    const body: Omit<WebhookEvent, 'id'> = { event: e.kind, occurredAt: new Date(e.createdAt).toISOString() };
    if (article) body.article = { slug: article.slug, title: article.title, url: `${base}/articles/${encodeURIComponent(article.slug)}` };
    if (c && article) {
      body.comment = { id: c.id, parentId: c.parentId, authorName: c.authorName, body: c.body, status: c.status, url: `${base}/articles/${encodeURIComponent(article.slug)}#c-${c.id}` };
    }
    if (e.authorId !== null) body.author = { id: e.authorId };
    for (const h of hooks) {
      const idemKey = webhookKey(h.id, e.id);
      const d: NewDelivery = { channel: 'webhook', idemKey, kind: 'webhook', targetId: h.id, payload: JSON.stringify({ id: idemKey, ...body }), nextAt: e.createdAt, createdAt: e.createdAt };
      plan.deliveries.push(d);
    }
  }
  return plan;
}
