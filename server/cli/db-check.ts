// Owns `npm run db:check`: a full PRAGMA integrity_check of the database (the server only runs the
// cheaper quick_check at start). Safe while the server runs; exit 0 when the database is sound.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { loadConfig } from '../config';
import { explainStartupError } from '../db/startup';

function run(): number {
  const config = loadConfig(process.env);
  if (config.dbPath === ':memory:' || !fs.existsSync(config.dbPath)) {
    process.stderr.write(`no database at ${config.dbPath} (set DATA_DIR or DB_PATH)\n`);
    return 1;
  }
  try {
    const db = new Database(config.dbPath, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const rows = (db.pragma('integrity_check(100)') as { integrity_check: string }[]).map((r) => r.integrity_check);
      if (rows.length === 1 && rows[0] === 'ok') {
        process.stdout.write(`${config.dbPath}: ok\n`);
        return 0;
      }
      process.stdout.write(`${config.dbPath}: damaged\n${rows.map((r) => `  ${r}`).join('\n')}\nRestore the latest backup (see README, "Storage and durability").\n`);
      return 1;
    } finally {
      db.close();
    }
  } catch (err) {
    process.stderr.write(`db:check: ${explainStartupError(err, config.dbPath) ?? (err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}

process.exit(run());
