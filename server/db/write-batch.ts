// Owns group commit for SQLite: writes that arrive in the same turn of the event loop share one
// transaction, so one fsync (synchronous=FULL) covers all of them. Each write runs in its own
// savepoint, so one failing write rolls back alone; every caller hears back only after the commit.
import type { Db } from './open';

interface Job {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export type Write = <T>(fn: () => T) => Promise<T>;

export interface WriteBatcher {
  write: Write;
  /** Commits whatever is queued now (shutdown, tests). */
  flush(): void;
}

export function createWriteBatcher(db: Db, maxBatch = 256): WriteBatcher {
  let queue: Job[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    while (queue.length) {
      const jobs = queue.slice(0, maxBatch);
      queue = queue.slice(jobs.length);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        db.transaction(() => {
          for (const job of jobs) {
            try {
              // A transaction function called inside a transaction runs as a SAVEPOINT.
              outcomes.push({ ok: true, value: db.transaction(job.fn)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })();
      } catch (error) {
        // The commit itself failed (disk full, I/O error): nothing of this batch is stored.
        for (const job of jobs) job.reject(error);
        continue;
      }
      jobs.forEach((job, i) => {
        const o = outcomes[i];
        if (o.ok) job.resolve(o.value);
        else job.reject(o.error);
      });
    }
  };

  const write: Write = <T>(fn: () => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  return { write, flush };
}
