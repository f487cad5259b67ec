// Durability of the built server as a real process: a comment answered with 201 survives kill -9,
// SIGTERM exits 0 with the WAL checkpointed, and a database newer than the code stops the start.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io as ioClient } from 'socket.io-client';
import { openDb } from '../server/db/open';
import { migrate, readMigrations } from '../server/db/migrate';
import { paths, projectRoot } from '../server/paths';

const ROOT = projectRoot();
const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
const SLUG = 'nvidia-anthropic';

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function start(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === 'listening' && entry.url) return resolve(entry.url);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return listening.then((url) => ({ child, url, exited, output: () => out }));
}

async function post(url: string, body: string): Promise<{ status: number; id: number }> {
  const res = await fetch(`${url}/api/articles/${SLUG}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ authorName: '耐久测试', body }),
  });
  const json = (await res.json()) as { comment: { id: number } };
  return { status: res.status, id: json.comment?.id };
}

function readComments(dbFile: string): { id: number; body: string }[] {
  const db = new Database(dbFile);
  try {
    return db.prepare('SELECT id, body FROM comments ORDER BY id').all() as { id: number; body: string }[];
  } finally {
    db.close();
  }
}

describe('the server process and its database file', () => {
  let dataDir: string;
  let running: Running | undefined;

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
  }, 130_000);
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-durable-'));
  });
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every comment answered with 201 when the process is killed with SIGKILL right after', async () => {
    running = await start(dataDir);
    const acknowledged: { id: number; body: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const body = `断电之前的第 ${i} 条`;
      const res = await post(running.url, body);
      expect(res.status).toBe(201);
      acknowledged.push({ id: res.id, body });
    }
    running.child.kill('SIGKILL');
    expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readComments(path.join(dataDir, 'yilun.db'))).toEqual(acknowledged);
  });

  it('exits 0 on SIGTERM with a reader connected, leaving the WAL checkpointed and the data in the main file', async () => {
    running = await start(dataDir);
    const { id } = await post(running.url, '优雅退出之前');
    const socket = ioClient(running.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin: running.url } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    await new Promise((resolve) => socket.emit('join', { article: SLUG }, resolve));
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    socket.disconnect();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.output()).toMatch(/"msg":"stopped"/);
    const wal = path.join(dataDir, 'yilun.db-wal');
    expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);
    // Opened without the WAL, read-only: the comment must already be in the main database file.
    const db = new Database(path.join(dataDir, 'yilun.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT body FROM comments WHERE id = ?').pluck().get(id)).toBe('优雅退出之前');
    } finally {
      db.close();
    }
  });

  it('opens the database file in WAL mode with synchronous=FULL, so an acknowledged commit is on disk', () => {
    const db = openDb(path.join(dataDir, 'pragmas.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it('refuses to start on a database whose schema is newer than the code', async () => {
    const file = path.join(dataDir, 'yilun.db');
    const db = openDb(file);
    const migrations = readMigrations(paths.migrations());
    migrate(db, migrations);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migrations.length + 1, '9999_future.sql', Date.now());
    db.close();
    await expect(start(dataDir)).rejects.toThrow(/newer than this code/);
  });
});
