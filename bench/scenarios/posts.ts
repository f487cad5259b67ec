// Owns the post-throughput run: autocannon POSTs to the comment API, 50 connections, each body unique
// (a counter) so that the repeat-post rule never refuses one, no links, no cookie (each post is a new
// first-time author, as on a busy public article). Both servers run side by side and take turns in
// pairs of slices, floor-Yilun then Yilun-floor, so a drifting disk or a neighbour's load weighs on both
// alike; each ratio is the median of the pairs' ratios. The server's CPU per post is measured too.
import path from 'node:path';
import autocannon from 'autocannon';
import { closeDb, openDb } from '../../server/db/open';
import type { Synchronous } from '../../server/config';
import { SLUG, startServer, type Kind, type RunningServer } from '../lib/procs';
import { cpuMs } from '../lib/reads';
import { medianRatio, percentile } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

export interface PostFigures {
  postsPerSec: number;
  /** Server CPU per answered post, µs. */
  cpuUsPerPost: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  seconds: number;
}

let sequence = 0;

export interface Slice {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  latencies: number[];
  /** The server's CPU time (user + system) during the slice, ms. */
  cpuMs?: number;
}

/** Slice pairs per run; each slice is --seconds / (2 * PAIRS) long. */
const PAIRS = 4;

export function cannon(url: string, seconds: number, connections: number, pid?: number): Promise<Slice> {
  const latencies: number[] = [];
  const cpu0 = cpuMs(pid);
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${url}/api/articles/${SLUG}/comments`,
        connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            // autocannon's idReplacement assumes a 27-byte id and sends a wrong Content-Length; build each body here.
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ authorName: '压测读者', body: `压测评论 ${++sequence},没有链接。` }) }),
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve({ ok: r['2xx'], non2xx: r.non2xx, errors: r.errors + r.timeouts, seconds: r.duration || seconds, latencies, cpuMs: cpuMs(pid) - cpu0 })),
    );
    inst.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
    inst.on('error', reject);
  });
}

export function combine(slices: Slice[]): PostFigures {
  const latencies = slices.flatMap((s) => s.latencies);
  const seconds = slices.reduce((a, s) => a + s.seconds, 0);
  const ok = slices.reduce((a, s) => a + s.ok, 0);
  return {
    postsPerSec: ok / seconds,
    cpuUsPerPost: (slices.reduce((a, s) => a + (s.cpuMs ?? NaN), 0) * 1000) / Math.max(1, ok),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    non2xx: slices.reduce((a, s) => a + s.non2xx, 0),
    errors: slices.reduce((a, s) => a + s.errors, 0),
    total: latencies.length,
    seconds,
  };
}

/** What the disk allows: bare one-row commits per second with the same pragmas, no server at all. */
export function bareCommitsPerSec(dir: string, ms = 1000): number {
  const db = openDb(path.join(dir, 'probe.db'), (process.env.DB_SYNCHRONOUS ?? 'FULL').toUpperCase() as Synchronous);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  const start = Date.now();
  let n = 0;
  while (Date.now() - start < ms) ins.run(`row ${n++}`);
  const rate = n / ((Date.now() - start) / 1000);
  closeDb(db);
  return rate;
}

export async function runPosts(ctx: Context): Promise<Row[]> {
  const servers: Partial<Record<Kind, RunningServer>> = {};
  const slices: Record<Kind, Slice[]> = { floor: [], yilun: [] };
  const slice = ctx.postSeconds / (2 * PAIRS);
  let diskBefore = NaN;
  let diskAfter = NaN;
  try {
    diskBefore = bareCommitsPerSec(ctx.tmp('disk-before'));
    for (const kind of ['floor', 'yilun'] as const) {
      servers[kind] = await startServer({ kind, dataDir: ctx.tmp(`posts-${kind}`), cpuProfDir: ctx.profileDir(kind, 'posts') });
      await cannon(servers[kind].url, 2, ctx.connections);
    }
    for (let p = 0; p < PAIRS; p++) {
      for (const kind of p % 2 === 0 ? (['floor', 'yilun'] as const) : (['yilun', 'floor'] as const)) {
        slices[kind].push(await cannon(servers[kind]!.url, slice, ctx.connections, servers[kind]!.proc.pid));
      }
    }
    diskAfter = bareCommitsPerSec(ctx.tmp('disk-after'));
  } finally {
    for (const s of Object.values(servers)) await s.stop();
  }
  const floor = combine(slices.floor);
  const yilun = combine(slices.yilun);
  ctx.log(`posts: floor ${Math.round(floor.postsPerSec)}/s, yilun ${Math.round(yilun.postsPerSec)}/s; bare commits ${Math.round(diskBefore)}/s before, ${Math.round(diskAfter)}/s after`);
  ctx.raw.posts = { floor, yilun, connections: ctx.connections, seconds: ctx.postSeconds, bareCommitsPerSec: { before: diskBefore, after: diskAfter } };
  const g = `Posts (${ctx.connections} conn, ${ctx.postSeconds} s, ${PAIRS} pairs)`;
  const pairRatio = (f: (s: Slice) => number) => medianRatio(slices.yilun.map(f), slices.floor.map(f));
  const rate = pairRatio((s) => s.ok / s.seconds);
  const p50 = pairRatio((s) => percentile(s.latencies, 50));
  return [
    row('Disk', 'bare SQLite commits/s (before)', '/s', diskBefore, null),
    row('Disk', 'bare SQLite commits/s (after)', '/s', diskAfter, null),
    row(g, 'posts/s (2xx)', '/s', yilun.postsPerSec, floor.postsPerSec, { kind: 'ratioMin', value: 0.9 }, rate),
    row(g, 'latency p50', 'ms', yilun.p50, floor.p50, { kind: 'ratioMax', value: 1.1 }, p50),
    row(g, 'latency p99', 'ms', yilun.p99, floor.p99),
    row(g, 'server CPU per post', 'µs', yilun.cpuUsPerPost, floor.cpuUsPerPost),
    row(g, 'non-2xx + errors', 'count', yilun.non2xx + yilun.errors, floor.non2xx + floor.errors, { kind: 'zero' }),
  ];
}
