// Owns schema migrations: numbered plain .sql files applied in order, each in its own transaction.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './open';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {}

export function readMigrations(dir: string): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const out = files.map((name) => ({ version: Number(name.slice(0, 4)), name, sql: fs.readFileSync(path.join(dir, name), 'utf8') }));
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration ${m.name} is out of sequence: expected ${String(i + 1).padStart(4, '0')}`);
  });
  return out;
}

/** Applies pending migrations; refuses a database that is newer than the code. Returns what it applied. */
export function migrate(db: Db, migrations: Migration[], now = Date.now()): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new MigrationError(`database schema is at version ${current}, newer than this code (${latest}); refusing to start`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now);
    })();
    applied.push(m.name);
  }
  return applied;
}

export function schemaVersion(db: Db): number {
  return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
}
