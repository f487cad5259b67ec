// Owns running several Yilun nodes behind nginx on one machine (npm run cluster, npm run test:cluster):
// the nodes as child processes on consecutive ports, nginx with deploy/nginx.conf (only its listen port and
// upstream servers rewritten) under a prefix directory of its own, a throw-away PostgreSQL database and,
// for tests, a redis-server of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../paths';

export const ROOT = projectRoot();
const NGINX = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

/** deploy/nginx.conf with our listen port and one upstream server line per node port. */
export function renderNginxSite(listenPort: number, nodePorts: number[]): string {
  const conf = fs.readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const servers = nodePorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n');
  const out = conf
    .replace(/^ {4}listen 80;$/m, `    listen 127.0.0.1:${listenPort};`)
    .replace(/(?:^ {4}server 127\.0\.0\.1:\d+[^\n]*\n)+/m, `${servers}\n`);
  if (!out.includes(`listen 127.0.0.1:${listenPort};`) || !out.includes(servers)) throw new Error('deploy/nginx.conf no longer has the listen/upstream lines this runner rewrites');
  return out;
}

/** Runs nginx in the foreground under dir (its own pid, logs and temp files), never the system instance. */
export function startNginx(dir: string, listenPort: number, nodePorts: number[]): ChildProcess {
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'yilun.conf'), renderNginxSite(listenPort, nodePorts));
  const t = (n: string) => path.join(dir, 'tmp', n);
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${t('body')}; proxy_temp_path ${t('proxy')}; fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')}; scgi_temp_path ${t('scgi')};
  include ${path.join(dir, 'yilun.conf')};
}
`,
  );
  return spawn(NGINX, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export interface NodeOptions {
  index: number;
  port: number;
  dataDir: string;
  env: Record<string, string>;
  /** Where the node's output goes ('inherit' for a try-out; a file for tests). */
  logFile?: string;
}

export function startNode(o: NodeOptions): ChildProcess {
  fs.mkdirSync(o.dataDir, { recursive: true });
  const out = o.logFile ? fs.openSync(o.logFile, 'a') : 'inherit';
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...o.env, PORT: String(o.port), HOST: '127.0.0.1', DATA_DIR: o.dataDir },
    stdio: ['ignore', out, out],
  });
  if (typeof out === 'number') fs.closeSync(out);
  return child;
}

/** Whether the process is gone (exited, killed, or never started). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Ports for servers of our own, below the kernel's ephemeral range: a port there is never handed to an
 * outgoing connection or to a `listen(0)` of another process, so it stays ours between the check and the
 * bind, and a port freed by a killed node is not taken by a stranger that nginx would then forward to.
 */
export async function freePorts(n: number, consecutive = true): Promise<number[]> {
  const net = await import('node:net');
  let low = 32768;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: keep the usual default
  }
  const from = Math.max(10000, low - 20000);
  const span = Math.max(1, low - from - n);
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let tries = 0; tries < 100; tries++) {
    const base = from + Math.floor(Math.random() * span);
    const ports = Array.from({ length: n }, (_, i) => (consecutive ? base + i : from + Math.floor(Math.random() * span)));
    if (new Set(ports).size === n && (await Promise.all(ports.map(isFree))).every(Boolean)) return ports;
  }
  throw new Error('no free ports');
}

/** Resolves once GET url answers 200 (a node's /readyz, nginx in front), or rejects after timeoutMs. */
export async function waitFor(url: string, timeoutMs = 30_000, child?: ChildProcess): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child && exited(child)) throw new Error(`${url}: the process exited with ${child.exitCode ?? child.signalCode}`);
    const status = await new Promise<number>((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.setTimeout(1000, () => req.destroy());
    });
    if (status === 200) return;
    if (Date.now() > end) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops a child and resolves once it is gone: SIGKILL after timeoutMs, and never waits forever. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 8000): Promise<void> {
  if (!child || exited(child)) return;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  child.kill(signal);
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // A process that does not go even after SIGKILL (it cannot, short of a kernel wait): give up on it.
  const giveUp = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs + 5000).unref());
  await Promise.race([gone, giveUp]);
  clearTimeout(kill);
}

async function adminQuery(adminUrl: string, sql: string): Promise<{ rowCount: number | null }> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The URL of database `name` on the server adminUrl points at; created when missing. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  const exists = await adminQuery(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (!exists.rowCount) await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** A redis-server of our own: no persistence, loopback only. */
export function startRedisServer(port: number, dir: string): ChildProcess {
  fs.mkdirSync(dir, { recursive: true });
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
}

export async function waitForRedis(port: number, timeoutMs = 10_000): Promise<void> {
  const net = await import('node:net');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => s.write('PING\r\n'));
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
