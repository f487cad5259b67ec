// Owns the scheduled chores that keep tables bounded: the article event log, login-failure rows, expired
// moderator sessions and cookie-only authors that left nothing behind. One interface, so that a second node
// (or a cron) can run the same chores elsewhere; tests call runOnce() with their own clock.
import type { Store } from '../db/store';
import type { Logger } from '../log';

const DAY = 24 * 3_600_000;

/** How long each kind of row is kept. Catch-up answers `reset` for a gap older than the event log. */
export const RETENTION = {
  events: 7 * DAY,
  /** Failure log rows that tell an owner about failed logins since their last one. */
  loginFailureLog: 30 * DAY,
  /** A lock counter is dead once its window and its lock are both over; it is kept that long at least. */
  loginCounters: 15 * 60_000,
  /** Authors made by a like or report that were undone or never kept (no comment, like, report or ban). */
  idleAuthors: 30 * DAY,
} as const;

/** Idle authors deleted per run, so one run never holds the write lock for long. */
const AUTHORS_PER_RUN = 5000;

export interface MaintenanceReport {
  events: number;
  loginCounters: number;
  loginFailureLog: number;
  authors: number;
}

export interface Maintenance {
  /** Runs the chores every intervalMs (the timer never keeps the process alive). */
  start(): void;
  stop(): void;
  runOnce(): Promise<MaintenanceReport>;
}

export function createMaintenance(deps: { store: Store; now: () => number; log: Logger; intervalMs: number }): Maintenance {
  const { store, now, log } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<MaintenanceReport> | undefined;

  const chores = async (): Promise<MaintenanceReport> => {
    const t = now();
    const report = {
      events: await store.comments.pruneEvents(t - RETENTION.events),
      loginCounters: await store.moderators.pruneFailures(t, RETENTION.loginCounters),
      loginFailureLog: await store.moderators.pruneFailureLog(t - RETENTION.loginFailureLog),
      authors: await store.authors.pruneIdle(t - RETENTION.idleAuthors, AUTHORS_PER_RUN),
    };
    await store.moderators.pruneSessions(t);
    if (Object.values(report).some((n) => n > 0)) log.info('maintenance', { ...report });
    return report;
  };

  // Overlapping runs (a slow disk, a test calling runOnce while the timer fires) share one.
  const runOnce = () => (running ??= chores().finally(() => (running = undefined)));

  return {
    start() {
      if (timer) return;
      // On several nodes, the one holding the lease runs the chores; it renews the lease each run, and
      // another node takes over within two intervals of it stopping. SQLite: always this process.
      const tick = async () => {
        if (await store.tryLease('maintenance', 2 * deps.intervalMs)) await runOnce();
      };
      timer = setInterval(() => {
        tick().catch((err: unknown) => log.error('maintenance failed', { error: err instanceof Error ? err.message : String(err) }));
      }, deps.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    runOnce,
  };
}
