// Owns the fan-out and memory runs: N readers per server (a reader process each) joined to one article;
// posts go to the floor and to Yilun in turn, so that a disk stall or a neighbour's load lands on both.
// Latency is the bench's send time to each reader's receipt, on one machine's wall clock. Server RSS is
// read with 0 readers, with N idle readers, and after the posts.
import { openFleet, type Fleet } from '../lib/fleet';
import { postComment, timeGets, wallNow } from '../lib/http';
import { SLUG, startServer, type Kind, type RunningServer } from '../lib/procs';
import { sleep, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

export interface FanoutFigures {
  readers: number;
  openMs: number;
  p50: number;
  p99: number;
  max: number;
  /** Receipt minus the first receipt of the same post: the broadcast alone, without the POST and its commit. */
  spreadP99: number;
  lost: number;
  duplicates: number;
  rssBaseKb: number;
  rssIdleKb: number;
  rssAfterKb: number;
  idleKbPerReader: number;
  afterKbPerReader: number;
}

/** Room between posts (alternating servers) so that one fan-out is over before the next starts. */
const POST_GAP_MS = 200;
const KINDS = ['floor', 'yilun'] as const;

interface Side {
  kind: Kind;
  server: RunningServer;
  fleet?: Fleet & { openMs: number };
  keys: string[];
  sentAt: Map<string, number>;
  rssBaseKb: number;
  rssIdleKb: number;
}

function figures(side: Side, n: number, got: { keys: Record<string, Float64Array>; duplicates: number }, rssAfterKb: number): FanoutFigures {
  const latencies: number[] = [];
  const spread: number[] = [];
  let lost = 0;
  for (const key of side.keys) {
    const times = got.keys[key] ?? new Float64Array(n).fill(NaN);
    let first = Infinity;
    for (let i = 0; i < n; i++) if (times[i] < first) first = times[i];
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(times[i])) lost++;
      else {
        latencies.push(times[i] - side.sentAt.get(key)!);
        spread.push(times[i] - first);
      }
    }
  }
  const s = summarize(latencies);
  return {
    readers: n,
    openMs: side.fleet!.openMs,
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    spreadP99: summarize(spread).p99,
    lost,
    duplicates: got.duplicates,
    rssBaseKb: side.rssBaseKb,
    rssIdleKb: side.rssIdleKb,
    rssAfterKb,
    idleKbPerReader: (side.rssIdleKb - side.rssBaseKb) / n,
    afterKbPerReader: (rssAfterKb - side.rssBaseKb) / n,
  };
}

export async function measureFanout(ctx: Context, n: number): Promise<Record<Kind, FanoutFigures>> {
  const sides: Side[] = [];
  try {
    for (const kind of KINDS) {
      const server = await startServer({ kind, dataDir: ctx.tmp(`fanout-${kind}-${n}`), cpuProfDir: ctx.profileDir(kind, `fanout-${n}`) });
      const keys = Array.from({ length: ctx.fanoutPosts }, (_, i) => `${kind}${n}-${i}`);
      sides.push({ kind, server, keys, sentAt: new Map(), rssBaseKb: NaN, rssIdleKb: NaN });
    }
    // The same warm-up on both before the baseline RSS: posts, page reads and a few readers joining and
    // leaving, so that code compiled and caches filled on first use are not counted as per-reader memory.
    for (const s of sides) {
      for (let i = 0; i < 20; i++) await postComment(s.server.url, SLUG, '热身', `热身 ${i} #kwarm${i}`);
      await timeGets(`${s.server.url}/api/articles/${SLUG}/comments`, 20, 0);
      const warm = await openFleet(s.server, 50);
      await warm.close();
    }
    await sleep(500);
    for (const s of sides) s.rssBaseKb = s.server.rssKb();
    for (const s of sides) s.fleet = await openFleet(s.server, n);
    await sleep(1500);
    for (const s of sides) s.rssIdleKb = s.server.rssKb();

    const done = sides.map((s) => {
      s.fleet!.send({ cmd: 'expect', keys: s.keys });
      return s.fleet!.next('complete', 20_000 + ctx.fanoutPosts * POST_GAP_MS * 2).catch(() => null);
    });
    for (let i = 0; i < ctx.fanoutPosts; i++) {
      for (const s of sides) {
        const t = wallNow();
        const r = await postComment(s.server.url, SLUG, '压测', `扇出测试 #k${s.keys[i]}`);
        if (r.status !== 201) throw new Error(`${s.kind} refused a fan-out post: ${r.status} ${r.text.slice(0, 200)}`);
        s.sentAt.set(s.keys[i], r.sentAt);
        await sleep(Math.max(0, t + POST_GAP_MS - wallNow()));
      }
    }
    await Promise.all(done);
    await sleep(300);
    const out = {} as Record<Kind, FanoutFigures>;
    for (const s of sides) {
      const rssAfterKb = s.server.rssKb();
      s.fleet!.send({ cmd: 'collect' });
      out[s.kind] = figures(s, n, await s.fleet!.next('receipts', 30_000), rssAfterKb);
    }
    return out;
  } finally {
    for (const s of sides) {
      await s.fleet?.close();
      await s.server.stop();
    }
  }
}

export async function runFanout(ctx: Context): Promise<Row[]> {
  const rows: Row[] = [];
  const all: Record<string, Record<Kind, FanoutFigures>> = {};
  for (const n of ctx.readers) {
    const { floor, yilun } = (all[n] = await measureFanout(ctx, n));
    for (const [kind, f] of [['floor', floor], ['yilun', yilun]] as const) {
      ctx.log(`fan-out ${n} ${kind}: p99 ${f.p99.toFixed(1)} ms (spread ${f.spreadP99.toFixed(1)}), lost ${f.lost}, ${f.idleKbPerReader.toFixed(1)} KB/reader`);
    }
    const g = `Fan-out ${n.toLocaleString('en-US')} readers`;
    // Below 1,000 readers the fan-out is a few ms and the RSS difference is noise: reported, not judged.
    const judged = n >= 1000;
    rows.push(
      row(g, 'latency p50', 'ms', yilun.p50, floor.p50),
      row(g, 'latency p99', 'ms', yilun.p99, floor.p99, judged ? { kind: 'ratioMax', value: 1.3 } : undefined),
      row(g, 'latency max', 'ms', yilun.max, floor.max),
      row(g, 'spread p99 (after 1st receipt)', 'ms', yilun.spreadP99, floor.spreadP99),
      row(g, 'lost deliveries', 'count', yilun.lost, floor.lost, { kind: 'zero' }),
      row(g, 'RSS/reader idle', 'KB', yilun.idleKbPerReader, floor.idleKbPerReader, judged ? { kind: 'ratioMax', value: 1.5 } : undefined),
      row(g, 'RSS/reader after posts', 'KB', yilun.afterKbPerReader, floor.afterKbPerReader, judged ? { kind: 'ratioMax', value: 1.5 } : undefined),
    );
  }
  ctx.raw.fanout = { posts: ctx.fanoutPosts, gapMs: POST_GAP_MS, byReaders: all };
  return rows;
}
