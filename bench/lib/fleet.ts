// Owns driving the reader fleet (bench/readers.ts child processes) from the bench: commands out, reports
// back. A fleet may be split over several processes (procs) so that one event loop reading thousands of
// sockets is not what the fan-out measures; their reports are merged into one, readers in index order.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReaderCommand, ReaderReport } from '../readers';
import { ROOT, SLUG, spawnNode, type RunningServer } from './procs';

type Ev = ReaderReport['ev'];
type Report<E extends Ev> = Extract<ReaderReport, { ev: E }>;

export interface Fleet {
  n: number;
  send(c: ReaderCommand): void;
  next<E extends Ev>(ev: E, timeoutMs: number): Promise<Report<E>>;
  close(): Promise<void>;
}

export interface FleetOptions {
  stall?: boolean;
  spread?: boolean;
  /** Readers act like the page: a dropped one reconnects and catches up, a seq gap is filled from the log. */
  live?: boolean;
  /** Reader processes to split the fleet over (default 1). */
  procs?: number;
  openTimeoutMs?: number;
}

/** One reader process: its own queue of reports. */
function child(): Fleet {
  const proc: ChildProcess = spawnNode([path.join(ROOT, 'dist', 'bench', 'readers.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const waiting = new Map<Ev, (r: ReaderReport) => void>();
  const queued: ReaderReport[] = [];
  let failure: Error | undefined;
  const rejectAll: ((e: Error) => void)[] = [];
  proc.on('message', (m) => {
    const r = m as ReaderReport;
    if (r.ev === 'error') {
      failure = new Error(`reader fleet: ${r.message}`);
      for (const f of rejectAll.splice(0)) f(failure);
      return;
    }
    const w = waiting.get(r.ev);
    if (w) {
      waiting.delete(r.ev);
      w(r);
    } else queued.push(r);
  });
  proc.on('exit', (code) => {
    failure ??= new Error(`reader fleet exited (${code})`);
    for (const f of rejectAll.splice(0)) f(failure);
  });
  return {
    n: 0,
    send: (c) => void (proc.connected && proc.send(c)),
    next<E extends Ev>(ev: E, timeoutMs: number) {
      const i = queued.findIndex((q) => q.ev === ev);
      if (i >= 0) return Promise.resolve(queued.splice(i, 1)[0] as Report<E>);
      if (failure) return Promise.reject(failure);
      return new Promise<Report<E>>((resolve, reject) => {
        const t = setTimeout(() => {
          waiting.delete(ev);
          reject(new Error(`reader fleet: no "${ev}" within ${timeoutMs} ms`));
        }, timeoutMs);
        rejectAll.push((e) => {
          clearTimeout(t);
          reject(e);
        });
        waiting.set(ev, (r) => {
          clearTimeout(t);
          resolve(r as unknown as Report<E>);
        });
      });
    },
    async close() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      if (proc.connected) proc.send({ cmd: 'close' });
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The reports of every process as one: counts add up, times take the latest, receipts line up by reader index. */
function merge(rs: ReaderReport[], sizes: number[]): ReaderReport {
  const first = rs[0];
  const sum = (f: (r: never) => number) => rs.reduce((a, r) => a + f(r as never), 0);
  const max = (f: (r: never) => number) => Math.max(...rs.map((r) => f(r as never)));
  switch (first.ev) {
    case 'opened':
      return { ev: 'opened', n: sum((r: Report<'opened'>) => r.n), ms: max((r: Report<'opened'>) => r.ms) };
    case 'complete':
      return { ev: 'complete', at: max((r: Report<'complete'>) => r.at) };
    case 'dropped':
      return { ev: 'dropped', n: sum((r: Report<'dropped'>) => r.n) };
    case 'rejoined':
      return {
        ev: 'rejoined',
        n: sum((r: Report<'rejoined'>) => r.n),
        ms: max((r: Report<'rejoined'>) => r.ms),
        resets: sum((r: Report<'rejoined'>) => r.resets),
        retries: sum((r: Report<'rejoined'>) => r.retries),
      };
    case 'receipts': {
      const all = rs as Report<'receipts'>[];
      const total = sizes.reduce((a, b) => a + b, 0);
      const keys: Record<string, Float64Array> = {};
      let offset = 0;
      all.forEach((r, j) => {
        for (const [k, times] of Object.entries(r.keys)) (keys[k] ??= new Float64Array(total).fill(NaN)).set(times.subarray(0, sizes[j]), offset);
        offset += sizes[j];
      });
      const s = (f: (r: Report<'receipts'>) => number) => all.reduce((a, r) => a + f(r), 0);
      return {
        ev: 'receipts',
        keys,
        duplicates: s((r) => r.duplicates),
        unexpected: s((r) => r.unexpected),
        presence: first.presence,
        disconnects: s((r) => r.disconnects),
        connected: s((r) => r.connected),
        reconnects: s((r) => r.reconnects),
        catchUps: s((r) => r.catchUps),
        gapFills: s((r) => r.gapFills),
        restalls: s((r) => r.restalls),
        resets: s((r) => r.resets),
        reasons: all.reduce<Record<string, number>>((a, r) => {
          for (const [k, v] of Object.entries(r.reasons)) a[k] = (a[k] ?? 0) + v;
          return a;
        }, {}),
      };
    }
    default:
      return first;
  }
}

export async function openFleet(server: Pick<RunningServer, 'url' | 'origin'>, n: number, opts: FleetOptions = {}): Promise<Fleet & { openMs: number }> {
  const procs = Math.max(1, Math.min(opts.procs ?? 1, n));
  const sizes = Array.from({ length: procs }, (_, j) => Math.floor(n / procs) + (j < n % procs ? 1 : 0));
  const children = sizes.map(() => child());
  const fleet: Fleet = {
    n,
    send: (c) => children.forEach((ch) => ch.send(c)),
    async next<E extends Ev>(ev: E, timeoutMs: number) {
      return merge(await Promise.all(children.map((ch) => ch.next(ev, timeoutMs))), sizes) as Report<E>;
    },
    async close() {
      await Promise.all(children.map((ch) => ch.close()));
    },
  };
  let offset = 0;
  children.forEach((ch, j) => {
    // 250 handshakes in flight over the whole fleet, as from one process: more overflow listen queues (nginx's, a node's).
    const batch = Math.ceil(250 / procs);
    ch.send({ cmd: 'open', url: server.url, origin: server.origin, slug: SLUG, n: sizes[j], offset, batch, stall: opts.stall, spread: opts.spread, live: opts.live });
    offset += sizes[j];
  });
  try {
    const opened = await fleet.next('opened', opts.openTimeoutMs ?? 120_000);
    return { ...fleet, openMs: opened.ms };
  } catch (err) {
    await fleet.close();
    throw err;
  }
}
