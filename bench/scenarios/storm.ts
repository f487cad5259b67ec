// Owns the reconnect storm: N joined readers lose the server (SIGKILL, a crash), comments are posted
// while they are away, then all of them reconnect at the same moment with since = the last seq they saw,
// while more comments are posted into the storm. Every reader must end with every comment exactly once;
// the server must keep answering (a GET is timed throughout). The floor and Yilun take turns
// floor-Yilun-Yilun-floor; the catch-up ratio is the median of the side-by-side pairs' ratios.
import { openFleet } from '../lib/fleet';
import { postComment, request, timeGets, wallNow } from '../lib/http';
import { SLUG, startServer, type Kind } from '../lib/procs';
import { cpuMs } from '../lib/reads';
import { median, medianRatio, sleep, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

const AWAY_POSTS = 5;
const STORM_POSTS = 5;
/** Floor-Yilun pairs, the second in reverse order (ABBA); BENCH_STORM_PAIRS for more. */
const PAIRS = Math.max(1, Number(process.env.BENCH_STORM_PAIRS ?? 2));

export interface StormFigures {
  readers: number;
  /** From the reconnect signal until every reader has every comment. */
  catchUpMs: number;
  /** From the reconnect signal until every join was acknowledged. */
  rejoinMs: number;
  resets: number;
  /** Handshakes refused or reset during the storm and retried by the reader (0.5-1.5 s later). */
  retries: number;
  lost: number;
  duplicates: number;
  getBeforeP50: number;
  getDuringP50: number;
  getDuringMax: number;
  getsDuring: number;
  /** The server's CPU time (user + system) from the reconnect signal until the storm was over (all caught up and acknowledged), per reader, µs. */
  cpuUsPerReader: number;
}

export async function measureStorm(ctx: Context, kind: Kind, n: number): Promise<StormFigures> {
  const dataDir = ctx.tmp(`storm-${kind}`);
  let server = await startServer({ kind, dataDir });
  let fleet: Awaited<ReturnType<typeof openFleet>> | undefined;
  try {
    for (let i = 0; i < 5; i++) await postComment(server.url, SLUG, '热身', `断线前 ${i} #kpre${i}`);
    fleet = await openFleet(server, n);
    const api = `${server.url}/api/articles/${SLUG}/comments`;
    const before = summarize(await timeGets(api, 30));

    fleet.send({ cmd: 'awaitDropped' });
    await server.kill();
    await fleet.next('dropped', 30_000);
    server = await startServer({ kind, dataDir, port: server.port, cpuProfDir: ctx.profileDir(kind, 'storm') });
    const keys = [...Array.from({ length: AWAY_POSTS }, (_, i) => `away${i}`), ...Array.from({ length: STORM_POSTS }, (_, i) => `storm${i}`)];
    for (const key of keys.slice(0, AWAY_POSTS)) await postComment(server.url, SLUG, '断线期间', `断线期间 #k${key}`);

    fleet.send({ cmd: 'expect', keys });
    const complete = fleet.next('complete', 60_000);
    const rejoined = fleet.next('rejoined', 60_000);
    const cpu0 = cpuMs(server.proc.pid);
    const t0 = wallNow();
    fleet.send({ cmd: 'rejoin' });

    let stormOver = false;
    const during: number[] = [];
    let probeError: unknown;
    const probe = (async () => {
      while (!stormOver) {
        const r = await request('GET', api);
        if (r.status !== 200) throw new Error(`${kind} answered ${r.status} during the storm`);
        during.push(r.ms);
        // About 20 probes a second: enough to see a stall, too few to be a load of their own.
        await sleep(50);
      }
    })().catch((err: unknown) => {
      probeError = err;
    });
    let done, joined;
    try {
      for (const key of keys.slice(AWAY_POSTS)) {
        await sleep(20);
        const r = await postComment(server.url, SLUG, '风暴中', `重连风暴中 #k${key}`);
        if (r.status !== 201) throw new Error(`${kind} refused a post during the storm: ${r.status}`);
      }
      [done, joined] = await Promise.all([complete.catch(() => null), rejoined]);
    } finally {
      stormOver = true;
      await probe;
    }
    if (probeError) throw probeError;
    const catchUpMs = done ? done.at - t0 : NaN;
    // Includes the storm's posts and the probe GETs, the same on both servers.
    const cpuUsPerReader = ((cpuMs(server.proc.pid) - cpu0) * 1000) / n;
    await sleep(200);
    fleet.send({ cmd: 'collect' });
    const got = await fleet.next('receipts', 30_000);
    let lost = 0;
    for (const key of keys) for (let i = 0; i < n; i++) if (Number.isNaN(got.keys[key]?.[i] ?? NaN)) lost++;
    const d = summarize(during);
    return {
      readers: n,
      catchUpMs,
      rejoinMs: joined.ms,
      resets: joined.resets,
      retries: joined.retries,
      lost,
      duplicates: got.duplicates,
      getBeforeP50: before.p50,
      getDuringP50: d.p50,
      getDuringMax: d.max,
      getsDuring: d.n,
      cpuUsPerReader,
    };
  } finally {
    await fleet?.close();
    await server.stop();
  }
}

export async function runStorm(ctx: Context): Promise<Row[]> {
  const n = ctx.stormReaders;
  const runs: Record<Kind, StormFigures[]> = { floor: [], yilun: [] };
  for (let p = 0; p < PAIRS; p++) {
    for (const kind of p % 2 === 0 ? (['floor', 'yilun'] as const) : (['yilun', 'floor'] as const)) {
      const f = await measureStorm(ctx, kind, n);
      runs[kind].push(f);
      ctx.log(`storm ${kind} (pair ${p + 1}/${PAIRS}): caught up in ${f.catchUpMs.toFixed(0)} ms, lost ${f.lost}, resets ${f.resets}`);
    }
  }
  ctx.raw.storm = { awayPosts: AWAY_POSTS, stormPosts: STORM_POSTS, pairs: PAIRS, floor: runs.floor, yilun: runs.yilun };
  const med = (kind: Kind, k: keyof StormFigures) => median(runs[kind].map((f) => f[k]));
  const sum = (kind: Kind, k: keyof StormFigures) => runs[kind].reduce((a, f) => a + f[k], 0);
  const max = (kind: Kind, k: keyof StormFigures) => Math.max(...runs[kind].map((f) => f[k]));
  const g = `Reconnect storm ${n.toLocaleString('en-US')} (${PAIRS} pairs)`;
  const paired = medianRatio(runs.yilun.map((f) => f.catchUpMs), runs.floor.map((f) => f.catchUpMs));
  return [
    row(g, 'all caught up after (median)', 'ms', med('yilun', 'catchUpMs'), med('floor', 'catchUpMs'), { kind: 'ratioMax', value: 1.0 }, paired),
    row(g, 'server CPU per reader, storm (median)', 'µs', med('yilun', 'cpuUsPerReader'), med('floor', 'cpuUsPerReader')),
    row(g, 'all joins acknowledged after (median)', 'ms', med('yilun', 'rejoinMs'), med('floor', 'rejoinMs')),
    row(g, 'lost comments (all runs)', 'count', sum('yilun', 'lost'), sum('floor', 'lost'), { kind: 'zero' }),
    row(g, 'catch-up resets (all runs)', 'count', sum('yilun', 'resets'), sum('floor', 'resets'), { kind: 'zero' }),
    row(g, 'connect retries (all runs)', 'count', sum('yilun', 'retries'), sum('floor', 'retries')),
    row(g, 'repeat deliveries (deduped)', 'count', sum('yilun', 'duplicates'), sum('floor', 'duplicates')),
    row(g, 'GET p50 before (median)', 'ms', med('yilun', 'getBeforeP50'), med('floor', 'getBeforeP50')),
    row(g, 'GET p50 during (median)', 'ms', med('yilun', 'getDuringP50'), med('floor', 'getDuringP50')),
    row(g, 'GET max during', 'ms', max('yilun', 'getDuringMax'), max('floor', 'getDuringMax')),
  ];
}
