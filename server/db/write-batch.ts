// Owns group commit for SQLite: writes that arrive in the same turn of the event loop share one
// transaction, so one fsync (synchronous=FULL) covers all of them. Each write runs in its own
// savepoint, so one failing write rolls back alone; every caller hears back only after the commit.
// When another process holds the write lock the batch waits on timers, never blocking the event loop.
import type { Db } from './open';

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** When it was queued: a write waits for the lock at most lockTimeoutMs from here. */
  at: number;
}

export type Write = <T>(fn: () => T) => Promise<T>;

export interface WriteBatcherOptions {
  maxBatch?: number;
  /** How long a write may wait for another process's write lock before it fails with SQLITE_BUSY. */
  lockTimeoutMs?: number;
  /** Asked before every batch; an error fails the queued writes unstarted (e.g. the file was replaced). */
  guard?: () => Error | undefined;
  now?: () => number;
}

export interface WriteBatcher {
  write: Write;
  /** Commits whatever is queued now, if the write lock is free (tests); otherwise it keeps waiting. */
  flush(): void;
  /** Resolves once every queued write has been answered (committed, refused or timed out): shutdown. */
  drain(): Promise<void>;
}

const RETRY_FIRST_MS = 5;
const RETRY_MAX_MS = 100;

export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function createWriteBatcher(db: Db, opts: WriteBatcherOptions = {}): WriteBatcher {
  const maxBatch = opts.maxBatch ?? 256;
  const lockTimeoutMs = opts.lockTimeoutMs ?? 5000;
  const now = opts.now ?? Date.now;
  // BEGIN IMMEDIATE takes the write lock before any write runs: a busy database fails here, with
  // nothing of the batch executed, instead of failing (and waiting busy_timeout) once per savepoint.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  // Each job in its own savepoint (what db.transaction does when nested, without building its wrappers per job).
  const savepoint = db.prepare('SAVEPOINT yl_job');
  const release = db.prepare('RELEASE yl_job');
  const rollbackTo = db.prepare('ROLLBACK TO yl_job');
  let queue: Job[] = [];
  let immediate: NodeJS.Immediate | undefined;
  let retry: NodeJS.Timeout | undefined;
  let retryDelay = RETRY_FIRST_MS;
  const idle: (() => void)[] = [];

  const settle = (jobs: Job[], error: unknown) => {
    for (const job of jobs) job.reject(error);
  };

  /** Runs jobs inside the transaction begin opened, then commits; answers each job. */
  const runBatch = (jobs: Job[]) => {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let aborted: unknown;
    for (const job of jobs) {
      try {
        savepoint.run();
        const value = job.fn();
        if (typeof (value as { then?: unknown } | null)?.then === 'function') throw new TypeError('a write cannot return a promise');
        release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (db.inTransaction) {
          rollbackTo.run();
          release.run();
        }
        outcomes.push({ ok: false, error });
        // SQLITE_FULL, SQLITE_IOERR and the like may roll back the whole transaction by themselves:
        // then nothing of this batch is stored, and the rest must not run in autocommit mode.
        if (!db.inTransaction) {
          aborted = error;
          break;
        }
      }
    }
    if (aborted === undefined) {
      try {
        commit.run();
      } catch (error) {
        // The commit itself failed (disk full, I/O error): nothing of this batch is stored.
        aborted = error;
      }
    }
    if (aborted !== undefined) {
      if (db.inTransaction) rollback.run();
      settle(jobs, aborted);
      return;
    }
    jobs.forEach((job, i) => {
      const o = outcomes[i];
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  };

  const scheduleRetry = () => {
    const oldest = queue.reduce((min, j) => Math.min(min, j.at), Infinity);
    // Wake up no later than the moment the oldest write reaches its bound, so it hears back on time.
    const untilBound = Math.max(0, oldest + lockTimeoutMs - now());
    retry = setTimeout(flush, Math.min(retryDelay, untilBound));
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  };

  const flush = () => {
    if (immediate) clearImmediate(immediate);
    if (retry) clearTimeout(retry);
    immediate = retry = undefined;
    while (queue.length) {
      const refused = opts.guard?.();
      if (refused) {
        const jobs = queue;
        queue = [];
        settle(jobs, refused);
        break;
      }
      try {
        begin.run();
      } catch (error) {
        if (!isBusyError(error)) {
          const jobs = queue.splice(0, maxBatch);
          settle(jobs, error);
          continue;
        }
        // Another process holds the write lock: the writes past their bound give up, the others wait.
        const t = now();
        const expired = queue.filter((j) => t - j.at >= lockTimeoutMs);
        queue = queue.filter((j) => t - j.at < lockTimeoutMs);
        settle(expired, error);
        if (queue.length) scheduleRetry();
        break;
      }
      retryDelay = RETRY_FIRST_MS;
      runBatch(queue.splice(0, maxBatch));
    }
    if (!queue.length) for (const done of idle.splice(0)) done();
  };

  const write: Write = <T>(fn: () => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, at: now() });
      // While waiting for the lock, new writes join the batch that is already scheduled.
      if (!immediate && !retry) immediate = setImmediate(flush);
    });

  const drain = () => (queue.length ? new Promise<void>((resolve) => idle.push(resolve)) : Promise.resolve());

  return { write, flush, drain };
}
