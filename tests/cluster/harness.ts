// The cluster suite's world: its own PostgreSQL database and redis-server, three built nodes on consecutive
// free ports and nginx in front with deploy/nginx.conf. Clients reach a node directly (with X-Forwarded-For,
// which a node trusts from loopback, so each test client is a network of its own) or through nginx.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import superagent from 'superagent';
import { io as ioClient, type Socket } from 'socket.io-client';
import { dropDatabase, ensureDatabase, exited, freePorts, startNginx, startNode, startRedisServer, stopChild, waitFor, waitForRedis } from '../../server/cli/cluster.lib';
import { RELAXED_LIMITS } from '../helpers/server';

export const SLUG = 'nvidia-anthropic';
export const METRICS_TOKEN = 'cluster-metrics-token-0123456789';
export const ADMIN = { username: 'admin', password: 'cluster-admin-password-1' };

/** Every process the suite started: all killed when the test process ends, however it ends. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of started) if (!exited(c)) c.kill('SIGKILL');
});
function track(c: ChildProcess): ChildProcess {
  started.add(c);
  c.once('exit', () => started.delete(c));
  return c;
}

export interface ClusterWorld {
  dir: string;
  nodePorts: number[];
  publicUrl: string;
  nodeUrl(i: number): string;
  nodes: (ChildProcess | undefined)[];
  /** Indexes of the nodes still running. */
  liveNodes(): number[];
  redisPort: number;
  killNode(i: number): Promise<void>;
  /** Kills redis-server, starts it again and waits until every live node is ready again (Redis answers). */
  restartRedis(): Promise<void>;
  /** Stops nginx, every node and redis-server and drops the database: never throws, never waits forever. */
  stop(): Promise<void>;
}

export async function startCluster(env: Record<string, string> = {}): Promise<ClusterWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-cluster-'));
  const adminUrl = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `yilun_cluster_test_${process.pid}`;
  const [redisPort, nginxPort, ...nodePorts] = await freePorts(5);
  const nodes: (ChildProcess | undefined)[] = [];
  let redis: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  const nodeUrl = (i: number) => `http://127.0.0.1:${nodePorts[i]}`;
  const liveNodes = () => nodes.map((n, i) => (n && !exited(n) ? i : -1)).filter((i) => i >= 0);
  const stop = async () => {
    await Promise.all([stopChild(nginx), ...nodes.map((n) => stopChild(n))]);
    await stopChild(redis);
    await dropDatabase(adminUrl, dbName).catch(() => undefined);
    if (!process.env.KEEP_CLUSTER_LOGS) fs.rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`cluster logs kept in ${dir}\n`);
  };
  try {
    const databaseUrl = await ensureDatabase(adminUrl, dbName);
    redis = track(startRedisServer(redisPort, path.join(dir, 'redis')));
    await waitForRedis(redisPort);
    const nodeEnv = {
      ...RELAXED_LIMITS,
      DATABASE_URL: databaseUrl,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: `ytest${process.pid}`,
      TRUST_PROXY: 'loopback',
      SESSION_SECRET: 's'.repeat(40),
      IP_HASH_KEY: 'k'.repeat(40),
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      METRICS_TOKEN,
      LOG_LEVEL: 'warn',
      FORM_MIN_SECONDS: '0',
      ...env,
    };
    const start = (i: number) => (nodes[i] = track(startNode({ index: i, port: nodePorts[i], dataDir: path.join(dir, `node${i}`), env: nodeEnv, logFile: path.join(dir, `node${i}.log`) })));
    // One node first (migrations, content, admin), then the others; each is ready when /readyz says so.
    await waitFor(`${nodeUrl(0)}/readyz`, 60_000, start(0));
    await Promise.all([1, 2].map((i) => waitFor(`${nodeUrl(i)}/readyz`, 60_000, start(i))));
    nginx = track(startNginx(path.join(dir, 'nginx'), nginxPort, nodePorts));
    await waitFor(`http://127.0.0.1:${nginxPort}/readyz`, 15_000, nginx);
  } catch (err) {
    const logs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8').slice(-2000)}`) : [];
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
  return {
    dir,
    nodePorts,
    publicUrl: `http://127.0.0.1:${nginxPort}`,
    nodeUrl,
    nodes,
    liveNodes,
    redisPort,
    async killNode(i) {
      await stopChild(nodes[i], 'SIGKILL');
      nodes[i] = undefined;
    },
    async restartRedis() {
      await stopChild(redis, 'SIGKILL');
      redis = track(startRedisServer(redisPort, path.join(dir, 'redis')));
      await waitForRedis(redisPort);
      await Promise.all(liveNodes().map((i) => waitFor(`${nodeUrl(i)}/readyz`, 30_000, nodes[i])));
    },
    stop,
  };
}

let nextNet = 1;
/** A network address of its own for one test client (TEST-NET-3 block). */
export const freshIp = () => `203.0.113.${nextNet++ % 250}`.replace(/\.0$/, '.251');

/** A reader (own cookie jar, own network) that can talk to any node directly: one identity, any node. */
export function client(ip = freshIp()) {
  const agent = superagent.agent();
  const set = (base: string, r: superagent.SuperAgentRequest) => r.set('Origin', base).set('X-Forwarded-For', ip).ok(() => true).timeout({ deadline: 20_000 });
  return {
    ip,
    get: (base: string, p: string) => set(base, agent.get(base + p)),
    post: (base: string, p: string, body?: object) => set(base, agent.post(base + p)).send(body),
    patch: (base: string, p: string, body?: object) => set(base, agent.patch(base + p)).send(body),
    delete: (base: string, p: string) => set(base, agent.delete(base + p)),
    cookie: () => (agent as unknown as { jar: { getCookies(a: object): { toValueString(): string } } }).jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }).toValueString(),
  };
}
export type Client = ReturnType<typeof client>;

export function socketTo(base: string, opts: { ip?: string; cookie?: string; namespace?: string; reconnection?: boolean } = {}): Promise<Socket> {
  const socket = ioClient(base + (opts.namespace ?? ''), {
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    extraHeaders: { origin: base, ...(opts.ip ? { 'x-forwarded-for': opts.ip } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) },
  });
  // A socket that did not connect is closed, so it never reconnects in the background after the test.
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.close();
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`socket to ${base} did not connect within 15 s`)), 15_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', fail);
  });
}

/** Polls cond until it holds, or throws after ms; a cond that takes longer than 5 s counts as false. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  const bounded = () => Promise.race([Promise.resolve(cond()).catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref())]);
  while (!(await bounded())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sockets open on one node, read from its /metrics. */
export async function socketsOn(base: string): Promise<number> {
  const res = await request(base).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).timeout(5000);
  const m = /yilun_sockets_connected\{namespace="\/"\} (\d+)/.exec(res.text);
  return m ? Number(m[1]) : -1;
}

/** The presence a join on this socket answers now, or -1 when no answer comes within 3 s. */
export async function presenceSeen(s: Socket, slug: string): Promise<number> {
  try {
    const a = (await s.timeout(3000).emitWithAck('join', { article: slug })) as { data?: { presence: number } };
    return a.data?.presence ?? -1;
  } catch {
    return -1;
  }
}
