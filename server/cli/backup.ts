// Owns `npm run backup -- FILE`: a consistent copy of the live database, taken online (the server may
// keep running and writing) with SQLite's backup API, checked, then moved into place.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { loadConfig } from '../config';
import { explainStartupError } from '../db/startup';

async function run(argv: string[]): Promise<number> {
  const target = argv[0];
  if (!target || argv.length !== 1) {
    process.stderr.write('usage: npm run backup -- FILE\n  writes a consistent copy of the database (DB_PATH) to FILE, also while the server runs\n');
    return 2;
  }
  const config = loadConfig(process.env);
  if (config.dbPath === ':memory:' || !fs.existsSync(config.dbPath)) {
    process.stderr.write(`no database at ${config.dbPath} (set DATA_DIR or DB_PATH)\n`);
    return 1;
  }
  if (fs.existsSync(target)) {
    process.stderr.write(`${target} already exists; choose a new file name\n`);
    return 1;
  }
  const partial = `${target}.partial-${process.pid}`;
  try {
    const db = new Database(config.dbPath, { fileMustExist: true });
    try {
      // Waits for a writer (the server commits in milliseconds); never takes the server's lock.
      db.pragma('busy_timeout = 5000');
      // Copies page by page between event-loop turns; restarts by itself if another process writes meanwhile.
      await db.backup(partial);
    } finally {
      db.close();
    }
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fs.renameSync(partial, target);
    process.stdout.write(`backed up ${config.dbPath} to ${target} (${fs.statSync(target).size} bytes)\n`);
    return 0;
  } catch (err) {
    fs.rmSync(partial, { force: true });
    process.stderr.write(`backup failed: ${explainStartupError(err, config.dbPath) ?? (err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}

run(process.argv.slice(2)).then((code) => process.exit(code));
