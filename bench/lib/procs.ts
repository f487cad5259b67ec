// Owns the bench's child processes: starting Yilun and the floor server on a free port, waiting for
// them, reading their RSS, stopping them, and killing every child if the bench itself fails.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { getJson } from './http';
import { pgStoreEnv } from './pgstore';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SLUG = 'nvidia-anthropic';

const children = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL): the bench must not leave servers or reader fleets behind. */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

export function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

let hooked = false;
export function installCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export type Kind = 'yilun' | 'floor';

export interface ServerOptions {
  kind: Kind;
  dataDir: string;
  port?: number;
  /** Directory for a V8 CPU profile written when the server exits (Yilun and floor alike). */
  cpuProfDir?: string;
  /** Extra environment for this server (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
}

export interface RunningServer {
  kind: Kind;
  port: number;
  url: string;
  origin: string;
  dataDir: string;
  proc: ChildProcess;
  rssKb(): number;
  /** SIGTERM and wait (graceful close, writes a CPU profile if asked for); SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL: the crash a reconnect storm starts from. */
  kill(): Promise<void>;
}

/** Every rate limit raised out of the way, each with a one-second window (see bench/README.md). */
export function raisedLimits(): Record<string, string> {
  const keys = ['RATE_POST_ATTEMPT', 'RATE_POST_AUTHOR', 'RATE_POST_IP', 'RATE_EDIT', 'RATE_LIKE', 'RATE_REPORT', 'RATE_LOGIN', 'RATE_SOCKET_CONNECT', 'RATE_SOCKET_EVENTS', 'RATE_JOIN', 'RATE_JOIN_IP'];
  return Object.fromEntries(keys.map((k) => [k, process.env[`BENCH_${k}`] ?? '1000000/1']));
}

function baseEnv(): NodeJS.ProcessEnv {
  // Only what a server needs: the parent's RATE_* or DATA_DIR must not leak into a bench run.
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_OPTIONS', 'DB_SYNCHRONOUS'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

function waitExit(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export function readRssKb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const flags = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const script = opts.kind === 'yilun' ? path.join(ROOT, 'dist', 'server', 'main.js') : path.join(ROOT, 'dist', 'bench', 'floor.js');
  const env = {
    ...baseEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    DB_PATH: path.join(opts.dataDir, opts.kind === 'yilun' ? 'yilun.db' : 'floor.db'),
    LOG_LEVEL: 'warn',
    ...(opts.kind === 'yilun' ? { ...raisedLimits(), SOCKET_MAX_PER_NETWORK: '100000', ...(await pgStoreEnv()) } : {}),
    ...opts.env,
  };
  const proc = spawnNode([...flags, script], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  proc.stderr!.pipe(process.stderr);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${opts.kind} exited with ${proc.exitCode} before listening:\n${stderr}`);
    try {
      const r = await getJson(`${url}/api/articles/${SLUG}/comments?limit=1`);
      if (r.status === 200) break;
      throw new Error(`${opts.kind} answered ${r.status} to its readiness probe: ${r.text.slice(0, 300)}`);
    } catch (err) {
      if (!(err instanceof Error && /ECONNREFUSED|ECONNRESET/.test(err.message))) throw err;
    }
    if (Date.now() > deadline) throw new Error(`${opts.kind} did not start within 30 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    kind: opts.kind,
    port,
    url,
    origin: url,
    dataDir: opts.dataDir,
    proc,
    rssKb: () => readRssKb(proc.pid),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      if (!(await waitExit(proc, 10_000))) {
        proc.kill('SIGKILL');
        await waitExit(proc, 5_000);
      }
    },
    async kill() {
      proc.kill('SIGKILL');
      await waitExit(proc, 5_000);
    },
  };
}

/** Soft and hard limits on open files, so the reader fleet can be sized (or the run refused) up front. */
export function fileLimit(): { soft: number; hard: number } {
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
    const n = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: n(out[0]), hard: n(out[1]) };
  } catch {
    return { soft: NaN, hard: NaN };
  }
}

/** Files a server or reader fleet may hold open: readers, their upgrades, the database and some slack. */
export const FILES_NEEDED = 8192;

/**
 * Spawns node (tracked for cleanup). When the soft open-file limit is below FILES_NEEDED but the hard
 * one allows it, the child goes through sh to raise its own soft limit; exec keeps the pid.
 */
export function spawnNode(args: string[], opts: SpawnOptions): ChildProcess {
  const { soft, hard } = fileLimit();
  if (soft < FILES_NEEDED && hard >= FILES_NEEDED) {
    return track(spawn('/bin/sh', ['-c', `ulimit -n ${FILES_NEEDED} && exec "$0" "$@"`, process.execPath, ...args], opts));
  }
  return track(spawn(process.execPath, args, opts));
}

/** Times the kernel dropped a connection because a listen queue was full (TcpExt ListenOverflows), machine-wide. */
export function listenOverflows(): number {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i].split(/\s+/);
      const values = lines[i + 1].split(/\s+/);
      const at = names.indexOf('ListenOverflows');
      if (names[0] === 'TcpExt:' && at > 0) return Number(values[at]);
    }
  } catch {
    // not Linux
  }
  return NaN;
}
