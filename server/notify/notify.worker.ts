// Owns the delivery worker: turns outbox events into inbox rows, digest items and deliveries, batches digests
// when their window allows, and attempts due deliveries with exponential backoff until sent or failed. Runs
// where it holds the 'notify' lease (one node at a time; always here on SQLite), on a timer and when nudged.
import { randomUUID } from 'node:crypto';
import type { Publish } from '../events';
import type { Logger } from '../log';
import type { Delivery, OutboxEvent } from '../db/notify.types';
import { attemptDelivery, type DeliverDeps } from './notify.deliver';
import { planEvent, readsForPass } from './notify.plan';
import { toInboxEntry } from './notify.view';

const HOUR = 3_600_000;
const EVENTS_PER_PASS = 200;
const DELIVERIES_PER_PASS = 50;
const NUDGE_DELAY_MS = 25;
/** Failed passes after which an outbox event that cannot be planned or written is logged and set aside. */
const MAX_EVENT_TRIES = 5;
/** Outbox rows are kept this long after processing (for the console's view of recent work), then pruned. */
const OUTBOX_KEEP_MS = 7 * 24 * HOUR;

export interface NotifyWorker {
  start(): void;
  stop(): Promise<void>;
  /** Asks for a pass soon (a comment was just written); passes never overlap. */
  nudge(): void;
  /** One full pass now (tests). */
  runOnce(): Promise<void>;
}

export interface WorkerDeps extends DeliverDeps {
  log: Logger;
  publish: Publish;
}

export function createNotifyWorker(deps: WorkerDeps): NotifyWorker {
  const { store, config, log, now } = deps;
  const n = config.notify;
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let prunedAt = 0;

  // An event whose planning or write keeps failing (bad data, a bug) must not hold up the ones behind it:
  // each is tried on its own, and after MAX_EVENT_TRIES failed passes it is logged and set aside (processed).
  const failures = new Map<number, number>();
  const fanOutOne = async (planDeps: Parameters<typeof planEvent>[0], e: OutboxEvent, idle: number[]) => {
    const plan = await planEvent(planDeps, e);
    // Most events lead to nothing (no reply, no subscriber, no webhook): they are marked done together.
    if (!plan.inbox.length && !plan.pending.length && !plan.deliveries.length) return void idle.push(e.id);
    const { inboxAdded } = await store.notify.applyEvent(e.id, plan, now());
    for (const added of inboxAdded) {
      const c = await store.comments.get(added.commentId);
      const article = c && (await store.articles.getById(c.articleId));
      if (!c || !article) continue;
      const { unread } = await store.notify.inbox(added.authorId, 0);
      deps.publish({ type: 'reply.received', authorId: added.authorId, unread, reply: toInboxEntry(c, article, null) });
    }
  };

  const fanOut = async () => {
    const events = await store.notify.pendingEvents(EVENTS_PER_PASS);
    if (!events.length) return;
    const base = { store, mail: !!deps.mailer, publicUrl: config.publicUrl, webhooks: await store.notify.listWebhooks() };
    const planDeps = { ...base, reads: await readsForPass(base, events) };
    const idle: number[] = [];
    for (const e of events) {
      try {
        await fanOutOne(planDeps, e, idle);
        failures.delete(e.id);
      } catch (err) {
        const tries = (failures.get(e.id) ?? 0) + 1;
        const error = err instanceof Error ? err.message : String(err);
        if (tries < MAX_EVENT_TRIES) {
          failures.set(e.id, tries);
          log.error('notification event failed; it is retried next pass', { event: e.id, kind: e.kind, tries, error });
        } else {
          failures.delete(e.id);
          idle.push(e.id);
          log.error('notification event set aside after repeated failures', { event: e.id, kind: e.kind, tries, error });
        }
      }
    }
    if (idle.length) await store.notify.markProcessed(idle, now());
  };

  /** Each recipient gets at most one mail per window: the first item goes at once, later ones wait for the window's end. */
  const batchDigests = async () => {
    const t = now();
    for (const { recipient } of await store.notify.openRecipients()) {
      const [type, rawId] = recipient.split(':');
      const id = Number(rawId);
      let dueAt: number;
      let kind: string;
      if (type === 'sub') {
        const sub = await store.notify.getSubscription(id);
        if (!sub) continue;
        dueAt = sub.lastSentAt === null ? t : sub.lastSentAt + n.digestMs;
        kind = 'replies';
      } else {
        const alert = await store.notify.getAlert(id);
        if (!alert || alert.mode === 'off') continue;
        dueAt = alert.mode === 'hourly' ? (alert.lastSentAt ?? 0) + HOUR : t;
        kind = 'alert';
      }
      if (dueAt > t) continue;
      const idemKey = `mail-${type}-${id}-${t}-${randomUUID().slice(0, 8)}`;
      await store.notify.batchPending(recipient, { channel: 'mail', idemKey, kind, targetId: id, payload: '{}', nextAt: t, createdAt: t }, t);
    }
  };

  const record = async (d: Delivery) => {
    const r = await attemptDelivery(deps, d);
    const t = now();
    const attempts = d.attempts + 1;
    if (r.result === 'sent') {
      await store.notify.finishDelivery(d.id, { status: 'sent', attempts, nextAt: d.nextAt, lastError: null, responseCode: r.responseCode ?? null, latencyMs: r.latencyMs ?? null, doneAt: t, scrub: d.kind === 'confirm' });
      log.info('notification delivered', { id: d.id, channel: d.channel, kind: d.kind, attempts });
    } else if (r.result === 'cancelled') {
      await store.notify.finishDelivery(d.id, { status: 'cancelled', attempts: d.attempts, nextAt: d.nextAt, lastError: r.reason, responseCode: null, latencyMs: null, doneAt: t, scrub: true });
      log.info('notification cancelled', { id: d.id, channel: d.channel, kind: d.kind, reason: r.reason });
    } else {
      const failed = r.final || attempts >= n.attempts;
      await store.notify.finishDelivery(d.id, {
        status: failed ? 'failed' : 'pending',
        attempts,
        nextAt: failed ? d.nextAt : t + n.retryMs * 2 ** (attempts - 1),
        lastError: r.error,
        responseCode: r.responseCode ?? null,
        latencyMs: r.latencyMs ?? null,
        doneAt: failed ? t : null,
        scrub: failed && d.kind === 'confirm',
      });
      log.warn(failed ? 'notification failed' : 'notification attempt failed', { id: d.id, channel: d.channel, kind: d.kind, attempts, error: r.error });
    }
  };

  const deliver = async () => {
    // Deliveries to different receivers go out side by side; one slow receiver does not hold up the rest.
    const due = await store.notify.dueDeliveries(now(), DELIVERIES_PER_PASS);
    await Promise.all(due.map((d) => record(d)));
  };

  const pass = async () => {
    if (!(await store.tryLease('notify', Math.max(30_000, 3 * n.pollMs)))) return;
    await fanOut();
    await batchDigests();
    await deliver();
    if (now() - prunedAt > HOUR) {
      prunedAt = now();
      await store.notify.pruneOutbox(prunedAt - OUTBOX_KEEP_MS);
    }
  };

  const runOnce = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err: unknown) => log.error('notification worker failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void runOnce();
        }
      });
    return running;
  };

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => void runOnce(), n.pollMs);
      timer.unref();
      void runOnce();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (soon) clearTimeout(soon);
      timer = soon = undefined;
      await running;
    },
    nudge() {
      if (stopped || soon) return;
      // A short wait lets a burst of writes share one pass.
      soon = setTimeout(() => {
        soon = undefined;
        void runOnce();
      }, NUDGE_DELAY_MS);
      soon.unref();
    },
    runOnce,
  };
}
