// Owns opening SQLite with the pragmas Yilun relies on, and closing it with a final checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Synchronous } from '../config';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * How long a statement waits, blocking the thread, for a lock another process holds. The CLIs wait
   * the default 5 s; the server keeps it to a few milliseconds once serving and retries writes on
   * timers instead (write-batch.ts), so a held lock never freezes its event loop.
   */
  busyTimeoutMs?: number;
}

/**
 * WAL lets readers run beside the single writer. synchronous=FULL makes every commit fsync the WAL
 * before better-sqlite3 returns, so a comment acknowledged with 201 survives kill -9 and power loss.
 * (NORMAL survives kill -9 too, since the WAL write is in the OS cache, but not a power cut.)
 */
export function openDb(file: string, synchronous: Synchronous = 'FULL', opts: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // First, so that the pragmas below already wait for a lock held elsewhere.
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000))}`);
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    // Keep the WAL from growing without bound between checkpoints.
    db.pragma('wal_autocheckpoint = 1000');
    db.pragma('temp_store = MEMORY');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function setBusyTimeout(db: Db, ms: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.round(ms))}`);
}

/**
 * Checkpoints the WAL into the main file and closes; used on shutdown. A failed checkpoint (disk full,
 * lock held elsewhere) loses nothing: the committed pages stay in the WAL and are applied by the next
 * open. It is returned rather than thrown so that shutdown still closes the file.
 */
export function closeDb(db: Db): Error | undefined {
  if (!db.open) return undefined;
  let failed: Error | undefined;
  if (db.name !== ':memory:') {
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      failed = err instanceof Error ? err : new Error(String(err));
    }
  }
  db.close();
  return failed;
}
