// Owns what one outbox event leads to: a reply in the replied-to author's inbox, items for subscribers' and
// moderators' next mails, and one delivery per webhook that listens to the event. Pure reads; the worker
// writes the plan in one transaction with the event marked done, so a crash replays it without doubles.
import type { Article, CommentRow, Store } from '../db/store';
import type { EventPlan, NewDelivery, OutboxEvent, Subscription, Webhook } from '../db/notify.types';
import type { WebhookEvent } from './webhook.send';

export interface PlanDeps {
  store: Store;
  /** Mail is configured (SMTP_URL): without it no mail item is queued. */
  mail: boolean;
  /** Absolute origin for links, when PUBLIC_URL is set. */
  publicUrl?: string;
  /** The webhooks, read once per worker pass. */
  webhooks: Webhook[];
  /** The comments and articles the pass's events name, read together (readsForPass); else one by one. */
  reads?: PassReads;
}

/** What planning reads of comments and articles. */
export interface PassReads {
  comment(id: number): Promise<CommentRow | undefined>;
  article(id: number): Promise<Article | undefined>;
}

/** Whether an event may lead anywhere: only new comments reach inboxes, only held and reported ones moderators' mail, the rest is for webhooks. */
function planned(deps: Pick<PlanDeps, 'mail' | 'webhooks'>, e: OutboxEvent): boolean {
  const hooked = deps.webhooks.some((h) => h.enabled && h.events.includes(e.kind));
  return hooked || e.kind === 'comment.created' || (deps.mail && (e.kind === 'comment.held' || e.kind === 'comment.reported'));
}

/**
 * A pass's reads in two statements instead of two or three per event: the comments its events name (and the
 * parents of new replies), then each article once. A busy article's pass is dozens of new comments on one article.
 */
export async function readsForPass(deps: Pick<PlanDeps, 'store' | 'mail' | 'webhooks'>, events: OutboxEvent[]): Promise<PassReads> {
  const { store } = deps;
  const ids = [...new Set(events.filter((e) => e.commentId !== null && planned(deps, e)).map((e) => e.commentId!))];
  const rows = new Map((await store.comments.getMany(ids)).map((c) => [c.id, c] as const));
  const parents = [...new Set([...rows.values()].map((c) => c.parentId).filter((p): p is number => p !== null && !rows.has(p)))];
  for (const p of await store.comments.getMany(parents)) rows.set(p.id, p);
  const articles = new Map<number, Promise<Article | undefined>>();
  return {
    comment: async (id) => rows.get(id) ?? store.comments.get(id),
    article: (id) => {
      let a = articles.get(id);
      if (!a) articles.set(id, (a = store.articles.getById(id)));
      return a;
    },
  };
}

/** How far back in a thread an "@名字" answer looks for the person it names. */
const MENTION_WINDOW = 200;

/**
 * A flat reply that starts with "@名字" answers that person too: the latest earlier comment in the same thread
 * by an author of that name (not the replier, not the one already replied to).
 */
async function mentioned(store: Store, reads: PassReads, c: CommentRow, repliedTo: number | null): Promise<number | null> {
  const name = /^@(\S{1,40})/u.exec(c.body.trim())?.[1];
  if (!name || c.rootId === null) return null;
  const root = await reads.comment(c.rootId);
  const thread = [...(root ? [root] : []), ...(await store.comments.listReplies(c.rootId, 0, MENTION_WINDOW, null))];
  const hit = thread.filter((x) => x.id < c.id && x.status === 'published' && x.authorName === name && x.authorId !== c.authorId && x.authorId !== repliedTo).pop();
  return hit?.authorId ?? null;
}

export const webhookKey = (hookId: number, eventId: number) => `wh-${hookId}-ev-${eventId}`;

export async function planEvent(deps: PlanDeps, e: OutboxEvent): Promise<EventPlan> {
  const { store } = deps;
  const reads: PassReads = deps.reads ?? { comment: (id) => store.comments.get(id), article: (id) => store.articles.getById(id) };
  const plan: EventPlan = { inbox: [], pending: [], deliveries: [] };
  if (!planned(deps, e)) return plan;
  const c = e.commentId === null ? undefined : await reads.comment(e.commentId);
  const article = c ? await reads.article(c.articleId) : undefined;

  if (e.kind === 'comment.created' && c && c.status === 'published' && article) {
    const parent = c.parentId === null ? undefined : await reads.comment(c.parentId);
    const repliedTo = parent && parent.authorId !== c.authorId ? parent.authorId : null;
    const answered = [repliedTo, await mentioned(store, reads, c, repliedTo)].filter((x): x is number => x !== null);
    for (const authorId of answered) plan.inbox.push({ authorId, commentId: c.id, createdAt: e.createdAt });
    if (deps.mail) {
      const subs = new Map<number, Subscription>();
      for (const who of answered.length ? answered : [null]) for (const sub of await store.notify.subscribersOf(c.articleId, who)) subs.set(sub.id, sub);
      for (const sub of subs.values()) {
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

  const hooks = deps.webhooks.filter((h) => h.enabled && h.events.includes(e.kind));
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
