// Owns what every scenario is given: the run's settings, fresh temp dirs, where CPU profiles go, the log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kind } from '../lib/procs';

export interface Settings {
  only: Set<string>;
  readers: number[];
  stormReaders: number;
  postSeconds: number;
  connections: number;
  fanoutPosts: number;
  threadSizes: number[];
  /** Write V8 CPU profiles of both servers (posts, fan-out, storm) under this directory. */
  profile: string | null;
}

export interface Context extends Settings {
  tmp(name: string): string;
  profileDir(kind: Kind, label: string): string | undefined;
  log(msg: string): void;
  /** Every scenario's full figures, kept in the JSON beside the table. */
  raw: Record<string, unknown>;
  /** CPU profiles written in this run: label -> directory. */
  profiles: Record<string, string>;
  cleanup(): void;
}

export function createContext(s: Settings): Context {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-bench-'));
  const started = Date.now();
  const profiles: Record<string, string> = {};
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
  // Also on Ctrl-C (the signal handler exits the process): a 100k-comment seed is not left in /tmp.
  process.once('exit', cleanup);
  return {
    ...s,
    raw: {},
    profiles,
    tmp(name) {
      const dir = path.join(root, name);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    profileDir(kind, label) {
      if (!s.profile) return undefined;
      const name = `${kind}-${label}`;
      const dir = path.join(s.profile, name);
      fs.mkdirSync(dir, { recursive: true });
      profiles[name] = dir;
      return dir;
    },
    log(msg) {
      process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
    },
    cleanup,
  };
}
