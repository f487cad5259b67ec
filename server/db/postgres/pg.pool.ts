// Owns the PostgreSQL connection pool and the one way to run a transaction on it: one client per
// transaction (BEGIN ... COMMIT), retried when PostgreSQL picks it as a deadlock or serialization victim.
import type pg from 'pg';

/** The driver, loaded on first use: only DATABASE_URL (or a db:copy to PostgreSQL) needs it. */
const driver = (): typeof pg => require('pg') as typeof pg;

/** A query runner: the pool (autocommit) or one client inside a transaction. */
export type Q = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;

// BIGINT (ids, times, counts) as numbers: every value Yilun stores stays far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : driver().types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PgPoolOptions {
  max?: number;
  /** Schema for every connection (tests run each on a fresh one). */
  schema?: string;
  /** How long a query waits for a free connection before failing (then 503 storage_busy). */
  connectionTimeoutMillis?: number;
}

export function createPool(url: string, opts: PgPoolOptions = {}): pg.Pool {
  const pool = new (driver().Pool)({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: 30_000,
    types,
    options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
  });
  // An idle client losing its connection (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export const runner =
  (c: pg.Pool | pg.PoolClient): Q =>
  async <R,>(sql: string, params?: unknown[]) =>
    (await c.query(sql, params)).rows as R[];

/**
 * Runs a hot statement of fixed text as a named prepared statement: each connection parses it once and
 * PostgreSQL may keep its plan (the reads every post makes: its article, the ban check, the network's posts).
 */
export const prepared =
  (pool: pg.Pool) =>
  async <R,>(name: string, sql: string, params: unknown[]): Promise<R[]> =>
    (await pool.query({ name, text: sql, values: params })).rows as R[];

/**
 * A read by one key where callers that wait for a pooled connection together share one query (the article
 * row that every join and post of a heated article reads: a join storm of 3,000 readers queued 3,000 copies
 * behind a pool of 10 until they timed out as storage_busy). A caller only ever joins a read that has not
 * been sent yet, never one already running, so every answer is at least as new as the call that asked.
 */
export function coalescedRead<R>(pool: pg.Pool, name: string, sql: string): (key: string | number) => Promise<R[]> {
  const waiting = new Map<string | number, Promise<R[]>>();
  return (key) => {
    const queued = waiting.get(key);
    if (queued) return queued;
    const read = (async () => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } finally {
        // Connected (or failed): from here on the query is on its way; later callers start another.
        waiting.delete(key);
      }
      try {
        const rows = (await client.query({ name, text: sql, values: [key] })).rows as R[];
        client.release();
        return rows;
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    })();
    waiting.set(key, read);
    return read;
  };
}

const RETRYABLE = new Set(['40P01', '40001']);

/** Runs fn (one statement in autocommit: a transaction of its own) again when PostgreSQL picks it as a deadlock or serialization victim. */
export async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw err;
    }
  }
}

/** Runs fn inside one transaction on one client; deadlock and serialization failures are retried. */
export async function transaction<T>(pool: pg.Pool, fn: (q: Q) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(runner(client));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      const code = (err as { code?: string }).code;
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
