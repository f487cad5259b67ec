// Owns opening the configured database ready for use: refusing to silently start over, a quick
// corruption check, pragmas, pending migrations, the SQLite store. Shared by the server and the CLIs.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { StartupError } from '../errors';
import { paths } from '../paths';
import { migrate, readMigrations } from './migrate';
import { openDb, type Db } from './open';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite.store';
import type { Store } from './store';

export interface OpenStoreOptions extends SqliteStoreOptions {
  /** Busy timeout while opening and migrating (the server lowers it once serving). */
  busyTimeoutMs?: number;
  /** Create a fresh database even where an earlier one left traces (--init, YILUN_INIT=1). */
  init?: boolean;
  /** Traces found before this process created any file itself (the server takes its lock first). */
  traces?: string[];
}

/**
 * Files that say a database lived here before: its -wal/-shm, lock file, backups (anything named after
 * it) and the generated secrets. Their presence beside a missing database means it was deleted or moved.
 */
export function findPreviousTraces(config: Pick<Config, 'dbPath' | 'dataDir'>): string[] {
  if (config.dbPath === ':memory:') return [];
  const list = (dir: string) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  };
  const dir = path.dirname(config.dbPath);
  const base = path.basename(config.dbPath);
  const found = list(dir)
    .filter((f) => f !== base && f.startsWith(base))
    .map((f) => path.join(dir, f));
  const secrets = path.join(config.dataDir, 'secrets.json');
  if (list(config.dataDir).includes('secrets.json')) found.push(secrets);
  return found;
}

/** PRAGMA quick_check: cheap (no index cross-check), enough to refuse a file with damaged pages. */
function quickCheck(db: Db): void {
  const rows = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length) {
    throw new StartupError(
      `${db.name} is corrupt (PRAGMA quick_check: ${problems.join('; ')}).\n` +
        'Stop here: restore the latest backup (see README, "Storage and durability"), or inspect it with\n' +
        'npm run db:check. Yilun does not start on a damaged database.',
    );
  }
}

export function openStore(config: Pick<Config, 'dbPath' | 'dataDir' | 'synchronous'>, opts: OpenStoreOptions = {}): { db: Db; store: Store; applied: string[] } {
  if (config.dbPath !== ':memory:' && !fs.existsSync(config.dbPath) && !opts.init) {
    const traces = opts.traces ?? findPreviousTraces(config);
    if (traces.length) {
      throw new StartupError(
        `${config.dbPath} does not exist, but a database lived here before (found ${traces.join(', ')}).\n` +
          'It was deleted or moved: restore it (see README, "Storage and durability"). To really start over\n' +
          'with an empty database, start once with --init (npm start -- --init) or YILUN_INIT=1.',
      );
    }
  }
  const db = openDb(config.dbPath, config.synchronous, { busyTimeoutMs: opts.busyTimeoutMs });
  try {
    if (config.dbPath !== ':memory:') quickCheck(db);
    const applied = migrate(db, readMigrations(paths.migrations()));
    return { db, store: createSqliteStore(db, opts), applied };
  } catch (err) {
    db.close();
    throw err;
  }
}
