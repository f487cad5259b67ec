// Fault-suite harness: the built server as a real child process (port 0, its own DATA_DIR), the CLIs,
// and an outside process holding the database's write lock.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { projectRoot } from '../../server/paths';

export const ROOT = projectRoot();
export const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
export const CLI = (name: string) => path.join(ROOT, 'dist', 'server', 'cli', `${name}.js`);
export const SLUG = 'nvidia-anthropic';

const RELAXED: Record<string, string> = {
  RATE_POST_ATTEMPT: '100000/60',
  RATE_POST_AUTHOR: '100000/60',
  RATE_POST_IP: '100000/60',
  RATE_SOCKET_CONNECT: '10000/60',
};

export function ensureBuilt(): void {
  if (!fs.existsSync(MAIN) || !fs.existsSync(CLI('backup'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `yilun-fault-${prefix}-`));
}

export function serverEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...RELAXED, ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<Exit>;
  output: () => string;
  /** The JSON log lines so far. */
  logs: () => { level: string; msg: string; [k: string]: unknown }[];
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Spawns the server; resolves once it logs "listening" (with the real port), rejects if it exits first. */
export function startServer(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: serverEnv(dataDir, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string });
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const entry = logs().find((e) => e.msg === 'listening') as { port?: number } | undefined;
      if (entry?.port) resolve(`http://127.0.0.1:${entry.port}`);
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return listening.then((url) => ({
    child,
    url,
    exited,
    output: () => out,
    logs,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  }));
}

export interface Finished extends Exit {
  stdout: string;
  stderr: string;
}

/** Runs a node script to completion (a server expected to refuse, or a CLI). */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** An outside process (an operator's sqlite3 shell, a backup tool) holding BEGIN IMMEDIATE on the file. */
export async function holdWriteLock(dbFile: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(dbFile)});
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('locked') && resolve());
    void exited.then(() => reject(new Error('the lock holder exited before locking')));
  });
  return {
    release: async () => {
      child.stdin.write('release\n');
      await exited;
    },
  };
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export async function request(url: string, method = 'GET', body?: unknown): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? { origin: new URL(url).origin, accept: 'application/json' } : { 'content-type': 'application/json', origin: new URL(url).origin },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // an HTML page
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const postComment = (url: string, body: string) => request(`${url}/api/articles/${SLUG}/comments`, 'POST', { authorName: '故障测试', body });

/** Comment bodies in the file, read with a connection of our own (after the server stopped, or beside it). */
export function commentBodies(dbFile: string): string[] {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare('SELECT body FROM comments ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** A start-up failure message: one clear paragraph, no JavaScript stack. */
export function expectCleanRefusal(r: Finished, message: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.stderr).toMatch(/^Yilun cannot start: /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/SqliteError/);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
