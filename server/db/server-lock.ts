// Owns "one server process per database file": an exclusive SQLite lock on <db>.server-lock, held for
// the life of the process. It is an fcntl lock, so the kernel drops it when the process dies, however
// it dies (kill -9 included): a stale lock file never blocks a restart. The CLIs do not take it.
import Database from 'better-sqlite3';
import { StartupError } from '../errors';
import { isBusyError } from './write-batch';

export interface ServerLock {
  file: string;
  release(): void;
}

export function serverLockFile(dbPath: string): string {
  return `${dbPath}.server-lock`;
}

export function acquireServerLock(dbPath: string): ServerLock {
  const file = serverLockFile(dbPath);
  const lock = new Database(file);
  try {
    lock.pragma('busy_timeout = 0');
    // No journal file beside it, and locks kept until close instead of released after each transaction.
    lock.pragma('journal_mode = OFF');
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS server (pid INTEGER NOT NULL, started_at INTEGER NOT NULL)');
    lock.exec('DELETE FROM server');
    lock.prepare('INSERT INTO server (pid, started_at) VALUES (?, ?)').run(process.pid, Date.now());
    lock.exec('COMMIT');
  } catch (err) {
    lock.close();
    if (isBusyError(err)) {
      throw new StartupError(
        `another Yilun server is already running on ${dbPath} (it holds ${file}).\n` +
          'One SQLite database serves exactly one server process: stop the other one first. To run several\n' +
          'nodes, use the multi-node setup (PostgreSQL + Redis; see README, "Storage and durability").\n' +
          'The CLIs (npm run admin, article:add, backup, db:check) work beside the running server.',
      );
    }
    throw err;
  }
  return { file, release: () => lock.open && lock.close() };
}
