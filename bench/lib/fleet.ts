// Owns driving the reader fleet child process (bench/readers.ts) from the bench: commands out, reports back.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReaderCommand, ReaderReport } from '../readers';
import { ROOT, SLUG, spawnNode, type RunningServer } from './procs';

type Ev = ReaderReport['ev'];

export interface Fleet {
  n: number;
  send(c: ReaderCommand): void;
  next<E extends Ev>(ev: E, timeoutMs: number): Promise<Extract<ReaderReport, { ev: E }>>;
  close(): Promise<void>;
}

export async function openFleet(server: Pick<RunningServer, 'url' | 'origin'>, n: number, opts: { stall?: boolean; spread?: boolean; openTimeoutMs?: number } = {}): Promise<Fleet & { openMs: number }> {
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

  const fleet: Fleet = {
    n,
    send: (c) => proc.send(c),
    next<E extends Ev>(ev: E, timeoutMs: number) {
      const i = queued.findIndex((q) => q.ev === ev);
      if (i >= 0) return Promise.resolve(queued.splice(i, 1)[0] as Extract<ReaderReport, { ev: E }>);
      if (failure) return Promise.reject(failure);
      return new Promise<Extract<ReaderReport, { ev: E }>>((resolve, reject) => {
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
          resolve(r as unknown as Extract<ReaderReport, { ev: E }>);
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
  fleet.send({ cmd: 'open', url: server.url, origin: server.origin, slug: SLUG, n, stall: opts.stall, spread: opts.spread });
  try {
    const opened = await fleet.next('opened', opts.openTimeoutMs ?? 120_000);
    return { ...fleet, openMs: opened.ms };
  } catch (err) {
    await fleet.close();
    throw err;
  }
}
