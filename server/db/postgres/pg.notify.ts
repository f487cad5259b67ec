// Owns the notification SQL on PostgreSQL: the outbox rows comment writes add inside their transaction, and
// the NotifyRepo (inbox, subscriptions, digests, deliveries, webhooks, moderator alerts), as notify/notify.repo.ts.
import type pg from 'pg';
import { outboxEventsOf, type Delivery, type ModeratorAlert, type NotifyRepo, type OutboxWrite, type Subscription, type Webhook } from '../notify.types';
import { transaction, type Q } from './pg.pool';

/** Records the write's events on the caller's transaction; answers nothing. */
export async function recordOutbox(q: Q, w: OutboxWrite): Promise<void> {
  for (const e of outboxEventsOf(w)) {
    await q(`INSERT INTO notify_outbox (kind, comment_id, author_id, created_at) VALUES ($1, $2, $3, $4)`, [e.kind, e.commentId, e.authorId, e.createdAt]);
  }
}

/** Records the events of several writes in one statement on the caller's transaction (a batch of posts). */
export async function recordOutboxMany(q: Q, writes: OutboxWrite[]): Promise<void> {
  const evs = writes.flatMap(outboxEventsOf);
  if (!evs.length) return;
  await q(
    `INSERT INTO notify_outbox (kind, comment_id, author_id, created_at)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])`,
    [evs.map((e) => e.kind), evs.map((e) => e.commentId), evs.map((e) => e.authorId), evs.map((e) => e.createdAt)],
  );
}

const SUB_COLS = `id, author_id AS "authorId", article_id AS "articleId", scope, email, lang, base_url AS "baseUrl",
  created_at AS "createdAt", confirmed_at AS "confirmedAt", last_sent_at AS "lastSentAt"`;
const DELIVERY_COLS = `id, channel, idem_key AS "idemKey", kind, target_id AS "targetId", payload, status, attempts,
  next_at AS "nextAt", last_error AS "lastError", response_code AS "responseCode", latency_ms AS "latencyMs",
  created_at AS "createdAt", done_at AS "doneAt"`;
const HOOK_COLS = `id, url, format, secret, events, enabled, created_at AS "createdAt"`;
const ALERT_COLS = `moderator_id AS "moderatorId", email, mode, lang, base_url AS "baseUrl", last_sent_at AS "lastSentAt"`;
const INSERT_DELIVERY = `INSERT INTO notify_deliveries (channel, idem_key, kind, target_id, payload, next_at, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idem_key) DO NOTHING RETURNING id`;

type HookRow = Omit<Webhook, 'events'> & { events: string };
const toHook = (r: HookRow | undefined): Webhook | undefined => (r ? { ...r, events: JSON.parse(r.events) as string[] } : undefined);
const deliveryParams = (d: Parameters<NotifyRepo['addDelivery']>[0]) => [d.channel, d.idemKey, d.kind, d.targetId, d.payload, d.nextAt, d.createdAt];

export function createPgNotifyRepo(pool: pg.Pool, q: Q): NotifyRepo {
  const tx = <T>(fn: (t: Q) => Promise<T>) => transaction(pool, fn);
  return {
    pendingEvents: (limit) =>
      q(`SELECT id, kind, comment_id AS "commentId", author_id AS "authorId", created_at AS "createdAt"
        FROM notify_outbox WHERE processed_at IS NULL ORDER BY id LIMIT $1`, [limit]),
    applyEvent: (eventId, plan, at) =>
      tx(async (t) => {
        // The event row is locked first: a second worker (a lease that just changed hands) waits, then sees it done.
        const [ev] = await t(`SELECT id FROM notify_outbox WHERE id = $1 AND processed_at IS NULL FOR UPDATE`, [eventId]);
        if (!ev) return { inboxAdded: [] };
        const inboxAdded: { authorId: number; commentId: number }[] = [];
        for (const i of plan.inbox) {
          const r = await t(`INSERT INTO reply_inbox (author_id, comment_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`, [i.authorId, i.commentId, i.createdAt]);
          if (r.length) inboxAdded.push({ authorId: i.authorId, commentId: i.commentId });
        }
        for (const p of plan.pending) {
          await t(`INSERT INTO notify_pending (recipient, comment_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [p.recipient, p.commentId, p.kind, p.createdAt]);
        }
        for (const d of plan.deliveries) await t(INSERT_DELIVERY, deliveryParams(d));
        await t(`UPDATE notify_outbox SET processed_at = $1 WHERE id = $2`, [at, eventId]);
        return { inboxAdded };
      }),
    markProcessed: async (ids, at) => void (await q(`UPDATE notify_outbox SET processed_at = $1 WHERE processed_at IS NULL AND id = ANY($2::bigint[])`, [at, ids])),
    pruneOutbox: async (olderThan) =>
      (await q<{ n: number }>(`WITH d AS (DELETE FROM notify_outbox WHERE processed_at IS NOT NULL AND processed_at < $1 RETURNING 1) SELECT COUNT(*)::int AS n FROM d`, [olderThan]))[0].n,
    inbox: async (authorId, limit) => {
      const items = await q(`SELECT comment_id AS "commentId", created_at AS "createdAt", read_at AS "readAt" FROM reply_inbox
        WHERE author_id = $1 ORDER BY comment_id DESC LIMIT $2`, [authorId, limit]);
      const [{ n }] = await q<{ n: number }>(`SELECT COUNT(*)::int AS n FROM reply_inbox i JOIN comments c ON c.id = i.comment_id
        WHERE i.author_id = $1 AND i.read_at IS NULL AND c.status = 'published'`, [authorId]);
      return { items: items as never, unread: n };
    },
    markRead: async (authorId, ids, at) =>
      (
        await q(`UPDATE reply_inbox SET read_at = $1 WHERE author_id = $2 AND read_at IS NULL AND ($3::bigint[] IS NULL OR comment_id = ANY($3::bigint[])) RETURNING 1`, [
          at,
          authorId,
          ids,
        ])
      ).length,
    subscribe: (n) =>
      tx(async (t) => {
        const [had] = await t<Subscription>(`SELECT ${SUB_COLS} FROM mail_subscriptions WHERE author_id = $1 AND article_id = $2 FOR UPDATE`, [n.authorId, n.articleId]);
        if (had && had.confirmedAt !== null && had.email === n.email && had.scope === n.scope) {
          await t(`UPDATE mail_subscriptions SET lang = $1, base_url = $2 WHERE id = $3`, [n.lang, n.baseUrl, had.id]);
          return { id: had.id, needsConfirm: false };
        }
        const [row] = await t<{ id: number }>(`INSERT INTO mail_subscriptions (author_id, article_id, scope, email, lang, base_url, confirm_hash, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
          ON CONFLICT (author_id, article_id) DO UPDATE SET scope = EXCLUDED.scope, email = EXCLUDED.email, lang = EXCLUDED.lang,
            base_url = EXCLUDED.base_url, confirm_hash = EXCLUDED.confirm_hash, created_at = EXCLUDED.created_at, confirmed_at = NULL
          RETURNING id`, [n.authorId, n.articleId, n.scope, n.email, n.lang, n.baseUrl, n.confirmHash, n.createdAt]);
        return { id: row.id, needsConfirm: true };
      }),
    confirm: async (hash, at) =>
      (await q<Subscription>(`UPDATE mail_subscriptions SET confirm_hash = NULL, confirmed_at = $1 WHERE confirm_hash = $2 RETURNING ${SUB_COLS}`, [at, hash]))[0],
    getSubscription: async (id) => (await q<Subscription>(`SELECT ${SUB_COLS} FROM mail_subscriptions WHERE id = $1`, [id]))[0],
    subscribersOf: (articleId, authorId) =>
      q<Subscription>(`SELECT ${SUB_COLS} FROM mail_subscriptions WHERE article_id = $1 AND confirmed_at IS NOT NULL
        AND (scope = 'thread' OR (scope = 'replies' AND author_id = $2))`, [articleId, authorId ?? -1]),
    unsubscribe: (id, all) =>
      tx(async (t) => {
        const gone = all
          ? await t(`DELETE FROM mail_subscriptions WHERE email = (SELECT email FROM mail_subscriptions WHERE id = $1) RETURNING 1`, [id])
          : await t(`DELETE FROM mail_subscriptions WHERE id = $1 RETURNING 1`, [id]);
        await t(`DELETE FROM notify_pending WHERE delivery_id IS NULL AND recipient LIKE 'sub:%'
          AND recipient NOT IN (SELECT 'sub:' || id FROM mail_subscriptions)`);
        return gone.length;
      }),
    withSubscription: async (ids) =>
      new Set(
        ids.length
          ? (await q<{ id: number }>(`SELECT DISTINCT author_id AS id FROM mail_subscriptions WHERE confirmed_at IS NOT NULL AND author_id = ANY($1::bigint[])`, [ids])).map((r) => r.id)
          : [],
      ),
    openRecipients: () =>
      q(`SELECT recipient, MIN(created_at) AS "firstAt" FROM notify_pending WHERE delivery_id IS NULL GROUP BY recipient`),
    batchPending: (recipient, d, at) =>
      tx(async (t) => {
        const open = await t(`SELECT 1 FROM notify_pending WHERE recipient = $1 AND delivery_id IS NULL LIMIT 1 FOR UPDATE`, [recipient]);
        if (!open.length) return undefined;
        const [row] = await t<{ id: number }>(INSERT_DELIVERY, deliveryParams(d));
        if (!row) return undefined;
        await t(`UPDATE notify_pending SET delivery_id = $1 WHERE recipient = $2 AND delivery_id IS NULL`, [row.id, recipient]);
        if (recipient.startsWith('sub:')) await t(`UPDATE mail_subscriptions SET last_sent_at = $1 WHERE 'sub:' || id = $2`, [at, recipient]);
        else await t(`UPDATE moderator_alerts SET last_sent_at = $1 WHERE 'mod:' || moderator_id = $2`, [at, recipient]);
        return row.id;
      }),
    itemsOf: (id) => q(`SELECT recipient, comment_id AS "commentId", kind FROM notify_pending WHERE delivery_id = $1 ORDER BY comment_id`, [id]),
    addDelivery: async (d) => (await q<{ id: number }>(INSERT_DELIVERY, deliveryParams(d)))[0]?.id,
    dueDeliveries: (now, limit) => q<Delivery>(`SELECT ${DELIVERY_COLS} FROM notify_deliveries WHERE status = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2`, [now, limit]),
    finishDelivery: async (id, o) =>
      void (await q(`UPDATE notify_deliveries SET status = $2, attempts = $3, next_at = $4, last_error = $5, response_code = $6, latency_ms = $7,
        done_at = $8, payload = CASE WHEN $9 THEN '{}' ELSE payload END WHERE id = $1`, [id, o.status, o.attempts, o.nextAt, o.lastError, o.responseCode, o.latencyMs, o.doneAt, o.scrub])),
    listDeliveries: (channel, limit) => q<Delivery>(`SELECT ${DELIVERY_COLS} FROM notify_deliveries WHERE channel = $1 ORDER BY id DESC LIMIT $2`, [channel, limit]),
    getDelivery: async (id) => (await q<Delivery>(`SELECT ${DELIVERY_COLS} FROM notify_deliveries WHERE id = $1`, [id]))[0],
    listWebhooks: async () => (await q<HookRow>(`SELECT ${HOOK_COLS} FROM webhooks ORDER BY id`)).map((r) => toHook(r)!),
    getWebhook: async (id) => toHook((await q<HookRow>(`SELECT ${HOOK_COLS} FROM webhooks WHERE id = $1`, [id]))[0]),
    createWebhook: async (w) =>
      toHook(
        (await q<HookRow>(`INSERT INTO webhooks (url, format, secret, events, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${HOOK_COLS}`, [
          w.url, w.format, w.secret, JSON.stringify(w.events), w.enabled, w.createdAt,
        ]))[0],
      )!,
    updateWebhook: async (id, u) =>
      toHook(
        (await q<HookRow>(`UPDATE webhooks SET url = COALESCE($2, url), format = COALESCE($3, format), events = COALESCE($4, events),
          enabled = COALESCE($5, enabled) WHERE id = $1 RETURNING ${HOOK_COLS}`, [id, u.url ?? null, u.format ?? null, u.events ? JSON.stringify(u.events) : null, u.enabled ?? null]))[0],
      ),
    deleteWebhook: async (id) => (await q(`DELETE FROM webhooks WHERE id = $1 RETURNING 1`, [id])).length > 0,
    getAlert: async (id) => (await q<ModeratorAlert>(`SELECT ${ALERT_COLS} FROM moderator_alerts WHERE moderator_id = $1`, [id]))[0],
    setAlert: async (a) =>
      void (await q(`INSERT INTO moderator_alerts (moderator_id, email, mode, lang, base_url) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (moderator_id) DO UPDATE SET email = EXCLUDED.email, mode = EXCLUDED.mode, lang = EXCLUDED.lang, base_url = EXCLUDED.base_url`,
        [a.moderatorId, a.email, a.mode, a.lang, a.baseUrl])),
    activeAlerts: () =>
      q<ModeratorAlert>(`SELECT ${ALERT_COLS} FROM moderator_alerts a JOIN moderators m ON m.id = a.moderator_id WHERE a.mode <> 'off' AND NOT m.disabled`),
    getFlag: async (key) => (await q<{ value: string }>(`SELECT value FROM site_settings WHERE key = $1`, [key]))[0]?.value === 'true',
    setFlag: async (key, value) =>
      void (await q(`INSERT INTO site_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, String(value)])),
  };
}
