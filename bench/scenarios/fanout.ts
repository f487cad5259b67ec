// Owns the fan-out and memory runs: N readers (a separate process) joined to one article, then posts
// one at a time; latency is the bench's send time to each reader's receipt, on one machine's wall
// clock. Server RSS is read with 0 readers, with N idle readers, and after the posts.
import { openFleet } from '../lib/fleet';
import { postComment, timeGets, wallNow } from '../lib/http';
import { SLUG, startServer, type Kind } from '../lib/procs';
import { sleep, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

export interface FanoutFigures {
  readers: number;
  openMs: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicates: number;
  rssBaseKb: number;
  rssIdleKb: number;
  rssAfterKb: number;
  idleKbPerReader: number;
  afterKbPerReader: number;
}

/** Room between posts so that one post's fan-out is over before the next starts (3,000 readers take tens of ms). */
const POST_INTERVAL_MS = 250;

export async function measureFanout(ctx: Context, kind: Kind, n: number, run: string): Promise<FanoutFigures> {
  const server = await startServer({ kind, dataDir: ctx.tmp(`fanout-${kind}-${n}`), cpuProfDir: ctx.profileDir(kind, `fanout-${n}`) });
  let fleet: Awaited<ReturnType<typeof openFleet>> | undefined;
  try {
    // The same warm-up on both servers before the baseline RSS: a few posts and page reads.
    for (let i = 0; i < 20; i++) await postComment(server.url, SLUG, '热身', `热身 ${i} #kwarm${i}`);
    await timeGets(`${server.url}/api/articles/${SLUG}/comments`, 20, 0);
    await sleep(500);
    const rssBaseKb = server.rssKb();
    fleet = await openFleet(server, n);
    await sleep(1500);
    const rssIdleKb = server.rssKb();

    const keys = Array.from({ length: ctx.fanoutPosts }, (_, i) => `${run}-${i}`);
    const sentAt = new Map<string, number>();
    fleet.send({ cmd: 'expect', keys });
    const done = fleet.next('complete', 20_000 + ctx.fanoutPosts * POST_INTERVAL_MS).catch(() => null);
    for (const key of keys) {
      const t = wallNow();
      const r = await postComment(server.url, SLUG, '压测', `扇出测试 #k${key}`);
      if (r.status !== 201) throw new Error(`${kind} refused a fan-out post: ${r.status} ${r.text.slice(0, 200)}`);
      sentAt.set(key, r.sentAt);
      await sleep(Math.max(0, t + POST_INTERVAL_MS - wallNow()));
    }
    await done;
    await sleep(300);
    const rssAfterKb = server.rssKb();
    fleet.send({ cmd: 'collect' });
    const got = await fleet.next('receipts', 30_000);
    const latencies: number[] = [];
    let lost = 0;
    for (const key of keys) {
      const times = got.keys[key];
      for (let i = 0; i < n; i++) {
        const t = times?.[i] ?? NaN;
        if (Number.isNaN(t)) lost++;
        else latencies.push(t - sentAt.get(key)!);
      }
    }
    const s = summarize(latencies);
    return {
      readers: n,
      openMs: fleet.openMs,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
      lost,
      duplicates: got.duplicates,
      rssBaseKb,
      rssIdleKb,
      rssAfterKb,
      idleKbPerReader: (rssIdleKb - rssBaseKb) / n,
      afterKbPerReader: (rssAfterKb - rssBaseKb) / n,
    };
  } finally {
    await fleet?.close();
    await server.stop();
  }
}

export async function runFanout(ctx: Context): Promise<Row[]> {
  const rows: Row[] = [];
  const all: Record<string, { floor: FanoutFigures; yilun: FanoutFigures }> = {};
  for (const n of ctx.readers) {
    const floor = await measureFanout(ctx, 'floor', n, `f${n}`);
    ctx.log(`fan-out ${n} floor: p99 ${floor.p99.toFixed(1)} ms, lost ${floor.lost}, ${floor.idleKbPerReader.toFixed(1)} KB/reader`);
    const yilun = await measureFanout(ctx, 'yilun', n, `y${n}`);
    ctx.log(`fan-out ${n} yilun: p99 ${yilun.p99.toFixed(1)} ms, lost ${yilun.lost}, ${yilun.idleKbPerReader.toFixed(1)} KB/reader`);
    all[n] = { floor, yilun };
    const g = `Fan-out ${n.toLocaleString('en-US')} readers`;
    // Below 1,000 readers the fan-out is a few ms and the RSS difference is noise: reported, not judged.
    const judged = n >= 1000;
    rows.push(
      row(g, 'latency p50', 'ms', yilun.p50, floor.p50),
      row(g, 'latency p99', 'ms', yilun.p99, floor.p99, judged ? { kind: 'ratioMax', value: 1.3 } : undefined),
      row(g, 'latency max', 'ms', yilun.max, floor.max),
      row(g, 'lost deliveries', 'count', yilun.lost, floor.lost, { kind: 'zero' }),
      row(g, 'RSS/reader idle', 'KB', yilun.idleKbPerReader, floor.idleKbPerReader, judged ? { kind: 'ratioMax', value: 1.5 } : undefined),
      row(g, 'RSS/reader after posts', 'KB', yilun.afterKbPerReader, floor.afterKbPerReader, judged ? { kind: 'ratioMax', value: 1.5 } : undefined),
    );
  }
  ctx.raw.fanout = { posts: ctx.fanoutPosts, intervalMs: POST_INTERVAL_MS, byReaders: all };
  return rows;
}
