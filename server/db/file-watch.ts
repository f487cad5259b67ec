// Owns noticing that the database file under an open connection was deleted or replaced (rm, mv of a
// backup over it). SQLite keeps writing to the file it opened, so without this every later write would
// be acknowledged into a file nobody will ever open again.
import fs from 'node:fs';

export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface FileWatch {
  /** Why the file can no longer be trusted, or undefined while it is the one we opened. */
  problem(): string | undefined;
  /** Compares now (also run by the timer). */
  check(): string | undefined;
  stop(): void;
}

function identity(file: string): FileIdentity | undefined {
  try {
    const st = fs.statSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/**
 * Remembers the device and inode of `file` (and of its -wal once it exists) and compares them every
 * intervalMs on an unref'd timer: a stat per second, cheap. The first difference is final: the process
 * must be restarted on the right file. onLost is called once.
 */
export function watchDbFile(file: string, intervalMs: number, onLost: (problem: string) => void): FileWatch {
  const main = identity(file);
  let wal = identity(`${file}-wal`);
  let lost: string | undefined = main ? undefined : `${file} is missing`;

  const same = (a: FileIdentity | undefined, b: FileIdentity) => a !== undefined && a.dev === b.dev && a.ino === b.ino;

  const check = () => {
    if (lost) return lost;
    const now = identity(file);
    if (!now) lost = `${file} was deleted while the server had it open`;
    else if (main && !same(now, main)) lost = `${file} was replaced by another file while the server had it open`;
    else {
      const w = identity(`${file}-wal`);
      if (!wal) wal = w;
      else if (!w) lost = `${file}-wal was deleted while the server had it open`;
      else if (!same(w, wal)) lost = `${file}-wal was replaced while the server had it open`;
    }
    if (lost) onLost(lost);
    return lost;
  };

  const timer = setInterval(check, intervalMs);
  timer.unref();
  if (lost) onLost(lost);
  return { problem: () => lost, check, stop: () => clearInterval(timer) };
}
