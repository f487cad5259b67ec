// Owns `npm run db:copy -- --to postgres://...`: moves a site from its SQLite file to an empty PostgreSQL
// database (README, "Running on PostgreSQL"). The source is the configured SQLite file (DATA_DIR/DB_PATH)
// or --from <file>; the target gets the PostgreSQL schema first, under the same lock the servers take.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { loadConfig } from '../config';
import { readMigrations } from '../db/migrate';
import { copySqliteToPg } from '../db/postgres/pg.copy';
import { migratePg, withStartupLock } from '../db/postgres/pg.migrate';
import { createPool } from '../db/postgres/pg.pool';
import { paths } from '../paths';

function arg(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function run(): Promise<number> {
  const to = arg('--to');
  if (!to || !/^postgres(ql)?:\/\//.test(to)) {
    process.stderr.write('usage: npm run db:copy -- --to postgres://user@host/db [--from path/to/yilun.db]\n');
    return 2;
  }
  const from = arg('--from') ?? loadConfig(process.env).dbPath;
  if (from === ':memory:' || !fs.existsSync(from)) {
    process.stderr.write(`db:copy: no SQLite database at ${from} (set DATA_DIR or DB_PATH, or pass --from)\n`);
    return 1;
  }
  const db = new Database(from, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const pool = createPool(to, { max: 2 });
  try {
    const started = Date.now();
    const report = await withStartupLock(pool, async () => {
      await migratePg(pool, readMigrations(paths.pgMigrations()));
      return copySqliteToPg(db, pool, readMigrations(paths.migrations()).length, (table, rows) => process.stdout.write(`  ${table}: ${rows}\n`));
    });
    const total = report.tables.reduce((n, t) => n + t.rows, 0);
    process.stdout.write(`copied ${total} rows from ${from} in ${Date.now() - started} ms; counts verified\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`db:copy: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    db.close();
    await pool.end();
  }
}

run().then((code) => process.exit(code));
