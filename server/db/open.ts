// Owns opening SQLite with the pragmas Yilun relies on.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Synchronous } from '../config';

export type Db = Database.Database;

/**
 * WAL lets readers run beside the single writer. synchronous=FULL makes every commit fsync the WAL
 * before better-sqlite3 returns, so a comment acknowledged with 201 survives kill -9 and power loss.
 * (NORMAL survives kill -9 too, since the WAL write is in the OS cache, but not a power cut.)
 */
export function openDb(file: string, synchronous: Synchronous = 'FULL'): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Keep the WAL from growing without bound between checkpoints.
  db.pragma('wal_autocheckpoint = 1000');
  db.pragma('temp_store = MEMORY');
  return db;
}

/** Checkpoints the WAL into the main file and closes; used on graceful shutdown. */
export function closeDb(db: Db): void {
  if (!db.open) return;
  if (db.name !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
