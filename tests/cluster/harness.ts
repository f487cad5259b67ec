// The cluster suite's world: its own PostgreSQL database and redis-server, three built nodes on consecutive
// free ports and nginx in front with deploy/nginx.conf. Clients reach a node directly (with X-Forwarded-For,
// which a node trusts from loopback, so each test client is a network of its own) or through nginx.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import superagent from 'superagent';
import { io as ioClient, type Socket } from 'socket.io-client';
import { dropDatabase, ensureDatabase, startNginx, startNode, startRedisServer, stopChild, waitFor, waitForRedis } from '../../server/cli/cluster.lib';
import { RELAXED_LIMITS } from '../helpers/server';

export const SLUG = 'nvidia-anthropic';
export const METRICS_TOKEN = 'cluster-metrics-token-0123456789';
export const ADMIN = { username: 'admin', password: 'cluster-admin-password-1' };

async function freePorts(n: number): Promise<number[]> {
  // Consecutive ports, as npm run cluster uses: find a free run.
  for (let tries = 0; tries < 50; tries++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all(
      Array.from({ length: n }, (_, i) => new Promise<boolean>((resolve) => {
        const s = net.createServer();
        s.once('error', () => resolve(false));
        s.listen(base + i, '127.0.0.1', () => s.close(() => resolve(true)));
      })),
    );
    if (ok.every(Boolean)) return Array.from({ length: n }, (_, i) => base + i);
  }
  throw new Error('no free ports');
}

export interface ClusterWorld {
  dir: string;
  nodePorts: number[];
  publicUrl: string;
  nodeUrl(i: number): string;
  nodes: (ChildProcess | undefined)[];
  redisPort: number;
  killNode(i: number): Promise<void>;
  restartRedis(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(env: Record<string, string> = {}): Promise<ClusterWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-cluster-'));
  const adminUrl = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `yilun_cluster_test_${process.pid}`;
  const [redisPort, nginxPort, ...nodePorts] = await freePorts(5);
  const databaseUrl = await ensureDatabase(adminUrl, dbName);
  let redis: ChildProcess | undefined = startRedisServer(redisPort, path.join(dir, 'redis'));
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
  const nodes: (ChildProcess | undefined)[] = [];
  const start = (i: number) => startNode({ index: i, port: nodePorts[i], dataDir: path.join(dir, `node${i}`), env: nodeEnv, logFile: path.join(dir, `node${i}.log`) });
  nodes[0] = start(0);
  await waitFor(`http://127.0.0.1:${nodePorts[0]}/readyz`, 60_000, nodes[0]);
  nodes[1] = start(1);
  nodes[2] = start(2);
  await Promise.all([1, 2].map((i) => waitFor(`http://127.0.0.1:${nodePorts[i]}/readyz`, 60_000, nodes[i])));
  const nginx = startNginx(path.join(dir, 'nginx'), nginxPort, nodePorts);
  await waitFor(`http://127.0.0.1:${nginxPort}/readyz`, 10_000, nginx);
  return {
    dir,
    nodePorts,
    publicUrl: `http://127.0.0.1:${nginxPort}`,
    nodeUrl: (i) => `http://127.0.0.1:${nodePorts[i]}`,
    nodes,
    redisPort,
    async killNode(i) {
      await stopChild(nodes[i], 'SIGKILL');
      nodes[i] = undefined;
    },
    async restartRedis() {
      await stopChild(redis, 'SIGKILL');
      redis = startRedisServer(redisPort, path.join(dir, 'redis'));
      await waitForRedis(redisPort);
    },
    async stop() {
      await Promise.all([stopChild(nginx), ...nodes.map((n) => stopChild(n))]);
      await stopChild(redis);
      await dropDatabase(adminUrl, dbName).catch(() => undefined);
      if (!process.env.KEEP_CLUSTER_LOGS) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let nextNet = 1;
/** A network address of its own for one test client (TEST-NET-3 block). */
export const freshIp = () => `203.0.113.${nextNet++ % 250}`.replace(/\.0$/, '.251');

/** A reader (own cookie jar, own network) that can talk to any node directly: one identity, any node. */
export function client(ip = freshIp()) {
  const agent = superagent.agent();
  const set = (base: string, r: superagent.SuperAgentRequest) => r.set('Origin', base).set('X-Forwarded-For', ip).ok(() => true);
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
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => reject(e));
  });
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sockets open on one node, read from its /metrics. */
export async function socketsOn(base: string): Promise<number> {
  const res = await request(base).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
  const m = /yilun_sockets_connected\{namespace="\/"\} (\d+)/.exec(res.text);
  return m ? Number(m[1]) : -1;
}
