// Owns opening the configured database ready for use: pragmas, pending migrations, the SQLite store.
// Shared by the server's entry point and the CLIs.
import type { Config } from '../config';
import { paths } from '../paths';
import { migrate, readMigrations } from './migrate';
import { openDb, type Db } from './open';
import { createSqliteStore } from './sqlite.store';
import type { Store } from './store';

export function openStore(config: Pick<Config, 'dbPath' | 'synchronous'>): { db: Db; store: Store; applied: string[] } {
  const db = openDb(config.dbPath, config.synchronous);
  try {
    const applied = migrate(db, readMigrations(paths.migrations()));
    return { db, store: createSqliteStore(db), applied };
  } catch (err) {
    db.close();
    throw err;
  }
}
