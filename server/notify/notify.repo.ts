// Owns the notification SQL on SQLite: the outbox recorder that comment writes call inside their own
// transaction, and the NotifyRepo (inbox, subscriptions, digests, deliveries, webhooks, moderator alerts).
import type { Db } from '../db/open';
import type { Write } from '../db/write-batch';
import { outboxEventsOf, type Delivery, type ModeratorAlert, type NotifyRepo, type OutboxWrite, type Subscription, type Webhook } from '../db/notify.types';

export interface OutboxRecorder {
  /** Records the write's events; call inside the write's transaction. Answers its argument's result. */
  record(w: OutboxWrite): void;
}

export function createOutboxRecorder(db: Db): OutboxRecorder {
  const insert = db.prepare(`INSERT INTO notify_outbox (kind, comment_id, author_id, created_at) VALUES (@kind, @commentId, @authorId, @createdAt)`);
  return {
    record(w) {
      for (const e of outboxEventsOf(w)) insert.run(e);
    },
  };
}

const SUB_COLS = `id, author_id AS authorId, article_id AS articleId, scope, email, lang, base_url AS baseUrl,
  created_at AS createdAt, confirmed_at AS confirmedAt, last_sent_at AS lastSentAt`;
const DELIVERY_COLS = `id, channel, idem_key AS idemKey, kind, target_id AS targetId, payload, status, attempts,
  next_at AS nextAt, last_error AS lastError, response_code AS responseCode, latency_ms AS latencyMs,
  created_at AS createdAt, done_at AS doneAt`;
const HOOK_COLS = `id, url, format, secret, events, enabled, created_at AS createdAt`;
const ALERT_COLS = `moderator_id AS moderatorId, email, mode, lang, base_url AS baseUrl, last_sent_at AS lastSentAt`;

type HookRow = Omit<Webhook, 'events' | 'enabled'> & { events: string; enabled: number };
const toHook = (r: HookRow | undefined): Webhook | undefined => (r ? { ...r, events: JSON.parse(r.events) as string[], enabled: r.enabled === 1 } : undefined);

export function createNotifyRepo(db: Db, write: Write): NotifyRepo {
  const s = {
    pending: db.prepare(`SELECT id, kind, comment_id AS commentId, author_id AS authorId, created_at AS createdAt
      FROM notify_outbox WHERE processed_at IS NULL ORDER BY id LIMIT ?`),
    processed: db.prepare(`UPDATE notify_outbox SET processed_at = ? WHERE id = ? AND processed_at IS NULL`),
    processedMany: db.prepare(`UPDATE notify_outbox SET processed_at = ? WHERE processed_at IS NULL AND id IN (SELECT value FROM json_each(?))`),
    pruneOutbox: db.prepare(`DELETE FROM notify_outbox WHERE processed_at IS NOT NULL AND processed_at < ?`),
    addInbox: db.prepare(`INSERT INTO reply_inbox (author_id, comment_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
    addPending: db.prepare(`INSERT INTO notify_pending (recipient, comment_id, kind, created_at) VALUES (@recipient, @commentId, @kind, @createdAt) ON CONFLICT DO NOTHING`),
    addDelivery: db.prepare(`INSERT INTO notify_deliveries (channel, idem_key, kind, target_id, payload, next_at, created_at)
      VALUES (@channel, @idemKey, @kind, @targetId, @payload, @nextAt, @createdAt) ON CONFLICT (idem_key) DO NOTHING RETURNING id`).pluck(),
    inbox: db.prepare(`SELECT comment_id AS commentId, created_at AS createdAt, read_at AS readAt FROM reply_inbox
      WHERE author_id = ? ORDER BY comment_id DESC LIMIT ?`),
    // A reply removed since it arrived is no longer listed, so it is not counted either.
    unread: db.prepare(`SELECT COUNT(*) FROM reply_inbox i JOIN comments c ON c.id = i.comment_id
      WHERE i.author_id = ? AND i.read_at IS NULL AND c.status = 'published'`).pluck(),
    readAll: db.prepare(`UPDATE reply_inbox SET read_at = ? WHERE author_id = ? AND read_at IS NULL`),
    readSome: db.prepare(`UPDATE reply_inbox SET read_at = ? WHERE author_id = ? AND read_at IS NULL AND comment_id IN (SELECT value FROM json_each(?))`),
    subOf: db.prepare(`SELECT ${SUB_COLS}, confirm_hash AS confirmHash FROM mail_subscriptions WHERE author_id = ? AND article_id = ?`),
    upsertSub: db.prepare(`INSERT INTO mail_subscriptions (author_id, article_id, scope, email, lang, base_url, confirm_hash, created_at)
      VALUES (@authorId, @articleId, @scope, @email, @lang, @baseUrl, @confirmHash, @createdAt)
      ON CONFLICT (author_id, article_id) DO UPDATE SET scope = excluded.scope, email = excluded.email, lang = excluded.lang,
        base_url = excluded.base_url, confirm_hash = excluded.confirm_hash, created_at = excluded.created_at, confirmed_at = NULL
      RETURNING id`).pluck(),
    relang: db.prepare(`UPDATE mail_subscriptions SET lang = ?, base_url = ? WHERE id = ?`),
    confirm: db.prepare(`UPDATE mail_subscriptions SET confirm_hash = NULL, confirmed_at = ? WHERE confirm_hash = ? RETURNING ${SUB_COLS}`),
    sub: db.prepare(`SELECT ${SUB_COLS} FROM mail_subscriptions WHERE id = ?`),
    subscribers: db.prepare(`SELECT ${SUB_COLS} FROM mail_subscriptions WHERE article_id = @articleId AND confirmed_at IS NOT NULL
      AND (scope = 'thread' OR (scope = 'replies' AND author_id = @authorId))`),
    unsubOne: db.prepare(`DELETE FROM mail_subscriptions WHERE id = ?`),
    unsubAll: db.prepare(`DELETE FROM mail_subscriptions WHERE email = (SELECT email FROM mail_subscriptions WHERE id = ?)`),
    dropItems: db.prepare(`DELETE FROM notify_pending WHERE delivery_id IS NULL AND recipient NOT IN (SELECT 'sub:' || id FROM mail_subscriptions) AND recipient LIKE 'sub:%'`),
    withSub: db.prepare(`SELECT DISTINCT author_id FROM mail_subscriptions WHERE confirmed_at IS NOT NULL AND author_id IN (SELECT value FROM json_each(?))`).pluck(),
    open: db.prepare(`SELECT recipient, MIN(created_at) AS firstAt FROM notify_pending WHERE delivery_id IS NULL GROUP BY recipient`),
    hasOpen: db.prepare(`SELECT 1 FROM notify_pending WHERE recipient = ? AND delivery_id IS NULL LIMIT 1`).pluck(),
    claimItems: db.prepare(`UPDATE notify_pending SET delivery_id = ? WHERE recipient = ? AND delivery_id IS NULL`),
    stampSub: db.prepare(`UPDATE mail_subscriptions SET last_sent_at = ? WHERE 'sub:' || id = ?`),
    stampMod: db.prepare(`UPDATE moderator_alerts SET last_sent_at = ? WHERE 'mod:' || moderator_id = ?`),
    items: db.prepare(`SELECT recipient, comment_id AS commentId, kind FROM notify_pending WHERE delivery_id = ? ORDER BY comment_id`),
    due: db.prepare(`SELECT ${DELIVERY_COLS} FROM notify_deliveries WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`),
    finish: db.prepare(`UPDATE notify_deliveries SET status = @status, attempts = @attempts, next_at = @nextAt, last_error = @lastError,
      response_code = @responseCode, latency_ms = @latencyMs, done_at = @doneAt,
      payload = CASE WHEN @scrub = 1 THEN '{}' ELSE payload END WHERE id = @id`),
    list: db.prepare(`SELECT ${DELIVERY_COLS} FROM notify_deliveries WHERE channel = ? ORDER BY id DESC LIMIT ?`),
    delivery: db.prepare(`SELECT ${DELIVERY_COLS} FROM notify_deliveries WHERE id = ?`),
    hooks: db.prepare(`SELECT ${HOOK_COLS} FROM webhooks ORDER BY id`),
    hook: db.prepare(`SELECT ${HOOK_COLS} FROM webhooks WHERE id = ?`),
    addHook: db.prepare(`INSERT INTO webhooks (url, format, secret, events, enabled, created_at) VALUES (@url, @format, @secret, @events, @enabled, @createdAt) RETURNING ${HOOK_COLS}`),
    setHook: db.prepare(`UPDATE webhooks SET url = COALESCE(@url, url), format = COALESCE(@format, format), events = COALESCE(@events, events),
      enabled = COALESCE(@enabled, enabled) WHERE id = @id RETURNING ${HOOK_COLS}`),
    delHook: db.prepare(`DELETE FROM webhooks WHERE id = ?`),
    alert: db.prepare(`SELECT ${ALERT_COLS} FROM moderator_alerts WHERE moderator_id = ?`),
    setAlert: db.prepare(`INSERT INTO moderator_alerts (moderator_id, email, mode, lang, base_url) VALUES (@moderatorId, @email, @mode, @lang, @baseUrl)
      ON CONFLICT (moderator_id) DO UPDATE SET email = excluded.email, mode = excluded.mode, lang = excluded.lang, base_url = excluded.base_url`),
    alerts: db.prepare(`SELECT ${ALERT_COLS} FROM moderator_alerts a JOIN moderators m ON m.id = a.moderator_id WHERE a.mode <> 'off' AND m.disabled = 0`),
    getFlag: db.prepare(`SELECT value FROM site_settings WHERE key = ?`).pluck(),
    setFlag: db.prepare(`INSERT INTO site_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
  };

  const applyEvent = (eventId: number, plan: Parameters<NotifyRepo['applyEvent']>[1], at: number) => {
    const inboxAdded = plan.inbox.filter((i) => s.addInbox.run(i.authorId, i.commentId, i.createdAt).changes > 0).map(({ authorId, commentId }) => ({ authorId, commentId }));
    for (const p of plan.pending) s.addPending.run(p);
    for (const d of plan.deliveries) s.addDelivery.get(d);
    s.processed.run(at, eventId);
    return { inboxAdded };
  };

  const subscribe = (n: Parameters<NotifyRepo['subscribe']>[0]) => {
    const had = s.subOf.get(n.authorId, n.articleId) as (Subscription & { confirmHash: string | null }) | undefined;
    if (had && had.confirmedAt !== null && had.email === n.email && had.scope === n.scope) {
      s.relang.run(n.lang, n.baseUrl, had.id);
      return { id: had.id, needsConfirm: false };
    }
    return { id: s.upsertSub.get(n) as number, needsConfirm: true };
  };

  const batchPending = (recipient: string, d: Parameters<NotifyRepo['batchPending']>[1], at: number) => {
    if (s.hasOpen.get(recipient) === undefined) return undefined;
    const id = s.addDelivery.get(d) as number | undefined;
    if (id === undefined) return undefined;
    s.claimItems.run(id, recipient);
    (recipient.startsWith('sub:') ? s.stampSub : s.stampMod).run(at, recipient);
    return id;
  };

  return {
    pendingEvents: async (limit) => s.pending.all(limit) as never,
    applyEvent: (eventId, plan, at) => write(() => applyEvent(eventId, plan, at)),
    markProcessed: (ids, at) => write(() => void s.processedMany.run(at, JSON.stringify(ids))),
    pruneOutbox: (olderThan) => write(() => s.pruneOutbox.run(olderThan).changes),
    inbox: async (authorId, limit) => ({ items: s.inbox.all(authorId, limit) as never, unread: s.unread.get(authorId) as number }),
    markRead: (authorId, ids, at) => write(() => (ids === null ? s.readAll.run(at, authorId) : s.readSome.run(at, authorId, JSON.stringify(ids))).changes),
    subscribe: (n) => write(() => subscribe(n)),
    confirm: (hash, at) => write(() => s.confirm.get(at, hash) as Subscription | undefined),
    getSubscription: async (id) => s.sub.get(id) as Subscription | undefined,
    subscribersOf: async (articleId, authorId) => s.subscribers.all({ articleId, authorId: authorId ?? -1 }) as Subscription[],
    unsubscribe: (id, all) =>
      write(() => {
        const n = (all ? s.unsubAll : s.unsubOne).run(id).changes;
        s.dropItems.run();
        return n;
      }),
    withSubscription: async (ids) => new Set(ids.length ? (s.withSub.all(JSON.stringify(ids)) as number[]) : []),
    openRecipients: async () => s.open.all() as never,
    batchPending: (recipient, d, at) => write(() => batchPending(recipient, d, at)),
    itemsOf: async (id) => s.items.all(id) as never,
    addDelivery: (d) => write(() => s.addDelivery.get(d) as number | undefined),
    dueDeliveries: async (now, limit) => s.due.all(now, limit) as Delivery[],
    finishDelivery: (id, o) => write(() => void s.finish.run({ id, ...o, scrub: o.scrub ? 1 : 0 })),
    listDeliveries: async (channel, limit) => s.list.all(channel, limit) as Delivery[],
    getDelivery: async (id) => s.delivery.get(id) as Delivery | undefined,
    listWebhooks: async () => (s.hooks.all() as HookRow[]).map((r) => toHook(r)!),
    getWebhook: async (id) => toHook(s.hook.get(id) as HookRow | undefined),
    createWebhook: (w) => write(() => toHook(s.addHook.get({ ...w, events: JSON.stringify(w.events), enabled: w.enabled ? 1 : 0 }) as HookRow)!),
    updateWebhook: (id, u) =>
      write(() =>
        toHook(
          s.setHook.get({
            id,
            url: u.url ?? null,
            format: u.format ?? null,
            events: u.events ? JSON.stringify(u.events) : null,
            enabled: u.enabled === undefined ? null : u.enabled ? 1 : 0,
          }) as HookRow | undefined,
        ),
      ),
    deleteWebhook: (id) => write(() => s.delHook.run(id).changes > 0),
    getAlert: async (id) => s.alert.get(id) as ModeratorAlert | undefined,
    setAlert: (a) => write(() => void s.setAlert.run(a)),
    activeAlerts: async () => s.alerts.all() as ModeratorAlert[],
    getFlag: async (key) => s.getFlag.get(key) === 'true',
    setFlag: (key, value) => write(() => void s.setFlag.run(key, String(value))),
  };
}
