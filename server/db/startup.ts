// Owns turning a start-up failure into one clear message: which file, what is wrong, what to do.
import { StartupError } from '../errors';

const FS_PROBLEMS: Record<string, string> = {
  ENOTDIR: 'a part of this path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EISDIR: 'this is a directory, not a file',
};

/** The message for a failure Yilun understands, or undefined for a real bug (printed with its stack). */
export function explainStartupError(err: unknown, dbPath: string): string | undefined {
  if (err instanceof StartupError) return err.message;
  const e = err as { code?: unknown; path?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code in FS_PROBLEMS) {
    const where = typeof e?.path === 'string' ? e.path : dbPath;
    return `cannot use ${where}: ${FS_PROBLEMS[code]} (${code}).\nSet DATA_DIR (or DB_PATH) to a directory this user can write, or fix its owner and permissions.`;
  }
  if (!code.startsWith('SQLITE_')) return undefined;
  const detail = `${code}: ${String(e?.message)}`;
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return `cannot open ${dbPath} for writing (${detail}).\nCheck that the file and its directory exist and are writable by this user (the -wal and -shm files beside it too).`;
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return `${dbPath} is corrupt or not a SQLite database (${detail}).\nRestore the latest backup (see README, "Storage and durability"); npm run db:check shows the damage.`;
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `${dbPath} is locked by another program (${detail}).\nFinish or stop it (a backup tool, an sqlite3 shell inside BEGIN), then start again.`;
  }
  if (code === 'SQLITE_FULL') return `the disk holding ${dbPath} is full (${detail}).\nFree some space, then start again.`;
  if (code.startsWith('SQLITE_IOERR')) return `I/O error on ${dbPath} (${detail}).\nCheck the disk and the file system, then start again.`;
  return undefined;
}
