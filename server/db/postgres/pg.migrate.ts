// Owns PostgreSQL schema migrations (migrations/postgres/NNNN_*.sql, each in its own transaction, recorded in
// schema_migrations) and the start-up advisory lock: nodes starting together migrate, import content and
// bootstrap the admin one after another, never at once.
import type pg from 'pg';
import { MigrationError, type Migration } from '../migrate';

/** Runs fn while holding this schema's start-up advisory lock (a session lock on one dedicated client). */
export async function withStartupLock<T>(pool: pg.Pool, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext(current_schema() || ':yilun-startup'))`);
    try {
      return await fn();
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || ':yilun-startup'))`);
    }
  } finally {
    client.release();
  }
}

/** Applies pending migrations; refuses a schema newer than the code. Call inside withStartupLock. */
export async function migratePg(pool: pg.Pool, migrations: Migration[], now = Date.now()): Promise<string[]> {
  await pool.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const current = (await pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v ?? 0;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new MigrationError(`database schema is at version ${current}, newer than this code (${latest}); refusing to start`);
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    applied.push(m.name);
  }
  return applied;
}

export async function pgSchemaVersion(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v ?? 0;
}

/** A start-up failure on PostgreSQL in one clear sentence, or undefined for a real bug. */
export function explainPgStartupError(err: unknown, url: string): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const where = url.replace(/\/\/[^@/]*@/, '//');
  if (err instanceof MigrationError) return err.message;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
    return `cannot reach PostgreSQL at ${where} (${String(code)}).\nCheck DATABASE_URL and that the server is running and accepts connections.`;
  }
  if (code === '3D000') return `the database in DATABASE_URL (${where}) does not exist: create it first (createdb).`;
  if (code === '28P01' || code === '28000') return `PostgreSQL refused the credentials in DATABASE_URL (${where}).`;
  return undefined;
}
