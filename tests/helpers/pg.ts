// Test harness for PostgreSQL: a fresh schema per store (CREATE SCHEMA yilun_test_<random>), migrated with the
// real PostgreSQL migrations, dropped with everything in it afterwards.
import crypto from 'node:crypto';
import pg from 'pg';
import { readMigrations } from '../../server/db/migrate';
import { createPool } from '../../server/db/postgres/pg.pool';
import { migratePg, withStartupLock } from '../../server/db/postgres/pg.migrate';
import { createPgStore } from '../../server/db/postgres/pg.store';
import type { Store } from '../../server/db/store';
import { paths } from '../../server/paths';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export interface PgTestStore {
  store: Store;
  pool: pg.Pool;
  schema: string;
  /** Closes the store's pool and drops the schema. */
  drop(): Promise<void>;
}

/** Creates an empty schema; returns its name and a function dropping it. */
export async function createTestSchema(url: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `yilun_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export async function openPgTestStore(url: string, opts: { migrate?: boolean } = {}): Promise<PgTestStore> {
  const { schema, drop } = await createTestSchema(url);
  const pool = createPool(url, { schema, max: 5 });
  if (opts.migrate !== false) await withStartupLock(pool, () => migratePg(pool, readMigrations(paths.pgMigrations())));
  const store = createPgStore(pool);
  let dropped = false;
  return {
    store,
    pool,
    schema,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await pool.end().catch(() => undefined);
      await drop();
    },
  };
}
