// Test harness: a real Yilun server on port 0 over a real SQLite database with the real migrations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createApp, type App } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import { openDb, type Db } from '../../server/db/open';
import { migrate, readMigrations } from '../../server/db/migrate';
import { createSqliteStore } from '../../server/db/sqlite.store';
import type { Article, Store } from '../../server/db/store';
import { createLogger, silentLogger, type Logger } from '../../server/log';
import { paths } from '../../server/paths';
import { generateSecrets, type Secrets } from '../../server/security/secrets';
import { openPgTestStore } from './pg';

export interface TestServer {
  app: App;
  store: Store;
  db: Db;
  url: string;
  origin: string;
  config: Readonly<Config>;
  /** A clock the test can move: every service reads time through it. */
  clock: { now: number; advance(ms: number): void };
  article: Article;
  /** Sockets opened with connectSocket; close() disconnects them first. */
  sockets: Socket[];
  close(): Promise<void>;
}

/** The slug of the article every test server is seeded with. */
export const TEST_SLUG = 'test-article';

export interface StartOptions {
  env?: Record<string, string>;
  /** Use a temporary file instead of :memory: (needed for restart and durability tests). */
  dbFile?: string;
  /** Start at this wall time (ms); the clock only moves when the test moves it, unless realClock. */
  realClock?: boolean;
  /** A logger of the test's own (e.g. capturing lines); silent by default. */
  log?: Logger;
  secrets?: Secrets;
}

/** Rate limits raised so that ordinary tests never trip them; rate-limit tests pass their own. */
export const RELAXED_LIMITS: Record<string, string> = {
  RATE_POST_ATTEMPT: '10000/60',
  RATE_POST_AUTHOR: '10000/60',
  RATE_POST_IP: '10000/60',
  RATE_EDIT: '10000/60',
  RATE_LIKE: '10000/60',
  RATE_REPORT: '10000/60',
  RATE_LOGIN: '10000/60',
  RATE_SOCKET_CONNECT: '10000/60',
  RATE_SOCKET_EVENTS: '10000/10',
  RATE_GET: '10000/60',
  // Password hashing at N=2^14 instead of 2^17: each hash 8x cheaper, so login-heavy tests stay fast.
  SCRYPT_LOG2_N: '14',
  RATE_JOIN: '10000/60',
  RATE_JOIN_IP: '10000/60',
  SOCKET_MAX_PER_NETWORK: '10000',
};

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-test-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, FORM_MIN_SECONDS: '0', ...RELAXED_LIMITS, ...opts.env });
  const db = openDb(opts.dbFile ?? ':memory:', config.synchronous);
  migrate(db, readMigrations(paths.migrations()));
  // YILUN_TEST_STORE_URL=postgres://...: the same tests on a fresh PostgreSQL schema (tests reading s.db directly still see SQLite).
  const pgStore = process.env.YILUN_TEST_STORE_URL ? await openPgTestStore(process.env.YILUN_TEST_STORE_URL) : undefined;
  const store = pgStore?.store ?? createSqliteStore(db);
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      this.now += ms;
    },
  };
  const now = opts.realClock ? Date.now : () => clock.now;
  const sockets: Socket[] = [];
  const app = createApp({ config, store, log: opts.log ?? (process.env.YILUN_TEST_LOG ? createLogger('debug') : silentLogger), secrets: opts.secrets ?? generateSecrets(), now });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const article = (await store.articles.getBySlug(TEST_SLUG)) ?? (await store.articles.insert({ slug: TEST_SLUG, title: '测试文章', body: '第一段。\n第二段。', createdAt: clock.now }));
  return {
    app,
    store,
    db,
    url,
    origin: url,
    config,
    clock,
    article,
    sockets,
    close: async () => {
      for (const socket of sockets.splice(0)) socket.disconnect();
      await app.close();
      if (db.open) db.close();
      await pgStore?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh server for every test of the enclosing describe (started in beforeEach, closed with its sockets
 * in afterEach). The handle always points at the current test's server, so it reads like a TestServer.
 */
export function useTestServer(opts: StartOptions = {}): TestServer {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startServer(opts);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as TestServer, {
    get(_t, key) {
      if (!current) throw new Error('the test server exists only inside a test (beforeEach/it/afterEach)');
      return current[key as keyof TestServer];
    },
  });
}

/** A reader with their own cookie jar, sending our Origin like a browser on our page would. */
export function reader(s: TestServer) {
  const agent = request.agent(s.url);
  return {
    agent,
    get: (p: string) => agent.get(p).set('Origin', s.origin),
    post: (p: string, body?: object) => agent.post(p).set('Origin', s.origin).send(body),
    patch: (p: string, body?: object) => agent.patch(p).set('Origin', s.origin).send(body),
    delete: (p: string) => agent.delete(p).set('Origin', s.origin),
    /** The Cookie header this reader would send (for socket connections). */
    cookie: () => agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString(),
  };
}

export type Reader = ReturnType<typeof reader>;

export async function postComment(r: Reader, slug: string, body: { authorName?: string; body?: string; parentId?: number }) {
  return r.post(`/api/articles/${slug}/comments`, { authorName: '读者', body: '一条评论', ...body });
}

/** A socket.io client connected to the server, with the reader's cookie and our Origin. */
export async function connectSocket(s: TestServer, opts: { cookie?: string; origin?: string; namespace?: string } = {}): Promise<Socket> {
  const socket = ioClient(s.url + (opts.namespace ?? ''), {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { origin: opts.origin ?? s.origin, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  s.sockets.push(socket);
  return socket;
}

export function emitAck<T = unknown>(socket: Socket, event: string, payload: unknown): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string; details?: unknown } }> {
  return new Promise((resolve) => socket.emit(event, payload, resolve));
}

/** Resolves with the next `event` payload matching the predicate, or rejects after timeoutMs. */
export function nextEvent<T = any>(socket: Socket, event: string, match: (p: T) => boolean = () => true, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const on = (p: T) => {
      if (!match(p)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(p);
    };
    socket.on(event, on);
  });
}

/** Collects every payload of the given events until stopped. */
export function record(socket: Socket, events: string[]) {
  const seen: { event: string; payload: any }[] = [];
  for (const e of events) socket.on(e, (p: unknown) => seen.push({ event: e, payload: p }));
  return seen;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
