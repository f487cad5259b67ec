// Owns the notification storage types and the NotifyRepo interface (outbox, reply inbox, mail subscriptions,
// digests, deliveries, webhooks, moderator alerts), plus which outbox events a comment write causes.
import type { CommentChange, WriteResult } from './rows';

export type OutboxKind = 'comment.created' | 'comment.edited' | 'comment.removed' | 'comment.held' | 'comment.reported' | 'author.banned';
export const OUTBOX_KINDS: readonly OutboxKind[] = ['comment.created', 'comment.edited', 'comment.removed', 'comment.held', 'comment.reported', 'author.banned'];

export interface OutboxEvent {
  id: number;
  kind: OutboxKind;
  commentId: number | null;
  authorId: number | null;
  createdAt: number;
}
export type NewOutboxEvent = Omit<OutboxEvent, 'id'>;

/** The write a store just made inside its transaction, as the outbox sees it. */
export type OutboxWrite =
  | { op: 'insert' | 'edit' | 'status'; result: WriteResult; at: number }
  | { op: 'report'; commentId: number; hidden: WriteResult | null; at: number }
  | { op: 'ban'; authorId: number | null; removed: WriteResult[]; at: number };

function ofChange(op: 'insert' | 'edit' | 'status', ch: CommentChange, at: number): NewOutboxEvent[] {
  const c = ch.comment;
  const ev = (kind: OutboxKind): NewOutboxEvent => ({ kind, commentId: c.id, authorId: c.authorId, createdAt: at });
  if (c.status === 'published' && ch.type === 'created') return [ev('comment.created')];
  if (c.status === 'pending' && op !== 'edit') return [ev('comment.held')];
  if (op === 'edit') return [ev(c.status === 'pending' ? 'comment.held' : 'comment.edited')];
  if (op === 'status' && (c.status === 'rejected' || c.status === 'deleted')) return [ev('comment.removed')];
  return [];
}

/** The events one committed write causes; recorded in the same transaction as the write. */
export function outboxEventsOf(w: OutboxWrite): NewOutboxEvent[] {
  switch (w.op) {
    case 'report': {
      const out: NewOutboxEvent[] = [{ kind: 'comment.reported', commentId: w.commentId, authorId: null, createdAt: w.at }];
      return w.hidden ? [...out, ...ofChange('status', w.hidden.change, w.at)] : out;
    }
    case 'ban': {
      const out = w.removed.flatMap((r) => ofChange('status', r.change, w.at));
      return w.authorId === null ? out : [...out, { kind: 'author.banned', commentId: null, authorId: w.authorId, createdAt: w.at }];
    }
    default:
      return ofChange(w.op, w.result.change, w.at);
  }
}

export interface InboxItem {
  commentId: number;
  createdAt: number;
  readAt: number | null;
}

export type SubscriptionScope = 'replies' | 'thread';
export type MailLang = 'zh-CN' | 'en';

export interface Subscription {
  id: number;
  authorId: number;
  articleId: number;
  scope: SubscriptionScope;
  email: string;
  lang: MailLang;
  baseUrl: string;
  createdAt: number;
  confirmedAt: number | null;
  lastSentAt: number | null;
}

export interface NewSubscription {
  authorId: number;
  articleId: number;
  scope: SubscriptionScope;
  email: string;
  lang: MailLang;
  baseUrl: string;
  confirmHash: string;
  createdAt: number;
}

export type DeliveryChannel = 'mail' | 'webhook';
export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface Delivery {
  id: number;
  channel: DeliveryChannel;
  idemKey: string;
  /** 'confirm' | 'replies' | 'alert' | 'webhook' | 'test' */
  kind: string;
  targetId: number;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  responseCode: number | null;
  latencyMs: number | null;
  createdAt: number;
  doneAt: number | null;
}
export type NewDelivery = Pick<Delivery, 'channel' | 'idemKey' | 'kind' | 'targetId' | 'payload' | 'nextAt' | 'createdAt'>;

export interface DeliveryOutcome {
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  responseCode: number | null;
  latencyMs: number | null;
  doneAt: number | null;
  /** Drop the payload once it is no longer needed (a confirmation mail carries a one-time token). */
  scrub: boolean;
}

export interface PendingItem {
  recipient: string;
  commentId: number;
  kind: string;
}

export type WebhookFormat = 'json' | 'wecom' | 'dingtalk' | 'feishu';
export interface Webhook {
  id: number;
  url: string;
  format: WebhookFormat;
  secret: string;
  events: string[];
  enabled: boolean;
  createdAt: number;
}

export type AlertMode = 'immediate' | 'hourly' | 'off';
export interface ModeratorAlert {
  moderatorId: number;
  email: string;
  mode: AlertMode;
  lang: MailLang;
  baseUrl: string;
  lastSentAt: number | null;
}

/** What processing one outbox event adds, written in one transaction that also marks the event done. */
export interface EventPlan {
  inbox: { authorId: number; commentId: number; createdAt: number }[];
  pending: (PendingItem & { createdAt: number })[];
  deliveries: NewDelivery[];
}

export interface NotifyRepo {
  pendingEvents(limit: number): Promise<OutboxEvent[]>;
  /** Applies the plan and marks the event processed; answers the inbox rows that were new. Idempotent. */
  applyEvent(eventId: number, plan: EventPlan, at: number): Promise<{ inboxAdded: { authorId: number; commentId: number }[] }>;
  /** Marks events that lead to nothing as processed, in one write. */
  markProcessed(eventIds: number[], at: number): Promise<void>;
  pruneOutbox(olderThan: number): Promise<number>;

  /** Newest first, at most limit; with the unread count. */
  inbox(authorId: number, limit: number): Promise<{ items: InboxItem[]; unread: number }>;
  /** Marks the given replies (all when ids is null) read; answers how many changed. */
  markRead(authorId: number, ids: number[] | null, at: number): Promise<number>;

  /**
   * Creates or replaces the author's subscription on the article. The same address and scope already
   * confirmed stays confirmed (needsConfirm false); anything else waits for confirmHash.
   */
  subscribe(s: NewSubscription): Promise<{ id: number; needsConfirm: boolean }>;
  /** Confirms the subscription holding this one-time hash (cleared); undefined when unknown or used. */
  confirm(confirmHash: string, at: number): Promise<Subscription | undefined>;
  getSubscription(id: number): Promise<Subscription | undefined>;
  /** Confirmed subscriptions to hear of a new comment: the whole thread, or replies to this author. */
  subscribersOf(articleId: number, repliedToAuthorId: number | null): Promise<Subscription[]>;
  /** Deletes the subscription, or every subscription of its address (all); answers how many went. */
  unsubscribe(id: number, all: boolean): Promise<number>;
  /** Which of these authors have a confirmed mail subscription (moderators see that, never the address). */
  withSubscription(authorIds: number[]): Promise<Set<number>>;

  /** Recipients with items not yet in a mail, with the oldest item's time. */
  openRecipients(): Promise<{ recipient: string; firstAt: number }[]>;
  /** Puts the recipient's open items into a new delivery and stamps its last send; undefined when none. */
  batchPending(recipient: string, d: NewDelivery, at: number): Promise<number | undefined>;
  itemsOf(deliveryId: number): Promise<PendingItem[]>;

  addDelivery(d: NewDelivery): Promise<number | undefined>;
  dueDeliveries(now: number, limit: number): Promise<Delivery[]>;
  finishDelivery(id: number, o: DeliveryOutcome): Promise<void>;
  listDeliveries(channel: DeliveryChannel, limit: number): Promise<Delivery[]>;
  getDelivery(id: number): Promise<Delivery | undefined>;

  listWebhooks(): Promise<Webhook[]>;
  getWebhook(id: number): Promise<Webhook | undefined>;
  createWebhook(w: Omit<Webhook, 'id'>): Promise<Webhook>;
  updateWebhook(id: number, u: Partial<Pick<Webhook, 'url' | 'format' | 'events' | 'enabled'>>): Promise<Webhook | undefined>;
  deleteWebhook(id: number): Promise<boolean>;

  getAlert(moderatorId: number): Promise<ModeratorAlert | undefined>;
  setAlert(a: Omit<ModeratorAlert, 'lastSentAt'>): Promise<void>;
  activeAlerts(): Promise<ModeratorAlert[]>;
  getFlag(key: 'webhooksAllowPrivate'): Promise<boolean>;
  setFlag(key: 'webhooksAllowPrivate', value: boolean): Promise<void>;
}
