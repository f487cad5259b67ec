// Owns the stalled-readers run: healthy readers and 500 readers that stop reading their TCP socket (but
// keep answering pings) while comments flow at a steady rate. The server must drop the stalled ones
// (SOCKET_MAX_UNACKED_BYTES: every reader acks, as the page does) with a flat RSS, and the healthy readers'
// fan-out must stay close to the same run without stalled readers. Yilun only: the floor has no bound.
import fs from 'node:fs';
import { openFleet, type Fleet } from '../lib/fleet';
import { postComment, wallNow } from '../lib/http';
import { SLUG, startServer } from '../lib/procs';
import { sleep, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

const HEALTHY = 50;
const STALLED = 500;
/** BENCH_STALL_RATE: a lower rate keeps both runs under the server's capacity on a machine shared with other work. */
const POSTS_PER_SECOND = Number(process.env.BENCH_STALL_RATE ?? 40);
const SECONDS = 15;
/**
 * About 24 KB on the wire per comment event (body and its HTML, 4,000 CJK characters each): the kernel
 * holds ~4-5 MB per stalled TCP connection before anything queues in the server, and big comments reach
 * that in a few seconds without a message rate that would swamp the healthy readers' process.
 */
const FILLER = '读者不再读取，服务器照常发送。'.repeat(Number(process.env.BENCH_STALL_REPEAT ?? 266));

export interface StallFigures {
  stalled: number;
  posts: number;
  p50: number;
  p99: number;
  /** Posts of the second half only: after the stalled readers were dropped. */
  p99SecondHalf: number;
  max: number;
  lost: number;
  rssStartKb: number;
  rssMaxKb: number;
  rssEndKb: number;
  /** Readers the server still counted at the end (presence, as heard by a healthy reader). */
  presenceEnd: number;
  /** Healthy readers the server disconnected (must be 0). */
  healthyDropped: number;
  /** POST round trip (the write path, before any fan-out): tells a starved machine from a slow fan-out. */
  postP50: number;
  postP99: number;
  /** POSTs with no answer within 30 s (left out of the figures). */
  postsTimedOut: number;
  /** Server CPU seconds (user + system) from the first post to the end. */
  serverCpuS: number;
  /** Kernel TCP buffer memory (machine-wide, MB) when posting starts and its peak while posting. */
  tcpMemStartMb: number;
  tcpMemMaxMb: number;
  /** Server RSS once a second from the first post on (MB). */
  rssTimelineMb: number[];
  /** Every healthy reader's latency (ms), and those of the second half of the posts: pooled over rounds. */
  samples: number[];
  lateSamples: number[];
  afterAnswerSamples: number[];
  postSamples: number[];
  /** Each round's p99 (one entry per measurement pooled here). */
  roundP99: number[];
  /** Stalled readers: drops they noticed, reconnections that stalled again (BENCH_STALL_RECONNECT=1), still connected at the end. */
  stalledDrops: number;
  stalledRestalls: number;
  stalledConnectedEnd: number;
}

/** Pools the measurements of several rounds of one setup: latencies over all samples, counts summed, RSS the worst. */
function pool(runs: StallFigures[]): StallFigures {
  const samples = runs.flatMap((r) => r.samples);
  const lateSamples = runs.flatMap((r) => r.lateSamples);
  const postSamples = runs.flatMap((r) => r.postSamples);
  const afterAnswerSamples = runs.flatMap((r) => r.afterAnswerSamples);
  const s = summarize(samples);
  const tcpWorst = runs.reduce((a, b) => (b.tcpMemMaxMb - b.tcpMemStartMb > a.tcpMemMaxMb - a.tcpMemStartMb ? b : a));
  const worst = runs.reduce((a, b) => (b.rssMaxKb - b.rssStartKb > a.rssMaxKb - a.rssStartKb ? b : a));
  const sum = (f: (r: StallFigures) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    ...worst,
    tcpMemStartMb: tcpWorst.tcpMemStartMb,
    tcpMemMaxMb: tcpWorst.tcpMemMaxMb,
    posts: sum((r) => r.posts),
    p50: s.p50,
    p99: s.p99,
    p99SecondHalf: summarize(lateSamples).p99,
    max: s.max,
    lost: sum((r) => r.lost),
    presenceEnd: Math.max(...runs.map((r) => r.presenceEnd)),
    healthyDropped: sum((r) => r.healthyDropped),
    postP50: summarize(postSamples).p50,
    postP99: summarize(postSamples).p99,
    postsTimedOut: sum((r) => r.postsTimedOut),
    serverCpuS: sum((r) => r.serverCpuS) / runs.length,
    samples,
    lateSamples,
    afterAnswerSamples,
    postSamples,
    roundP99: runs.flatMap((r) => r.roundP99),
    stalledDrops: sum((r) => r.stalledDrops),
    stalledRestalls: sum((r) => r.stalledRestalls),
    stalledConnectedEnd: sum((r) => r.stalledConnectedEnd),
  };
}

/** Memory the kernel holds in TCP buffers, machine-wide (MB; /proc/net/sockstat counts 4 KB pages; NaN elsewhere). */
function tcpKernelMb(): number {
  try {
    const m = /^TCP:.* mem (\d+)/m.exec(fs.readFileSync('/proc/net/sockstat', 'utf8'));
    return m ? (Number(m[1]) * 4) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** utime + stime of a process, in seconds (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function measureStall(ctx: Context, stalled: number, round: number): Promise<StallFigures> {
  // LOG_LEVEL=error: each dropped reader is a warn line, 500 of them would bury the bench's output.
  const server = await startServer({ kind: 'yilun', dataDir: ctx.tmp(`stall-${stalled}-${round}`), env: { LOG_LEVEL: process.env.BENCH_STALL_LOG_LEVEL ?? 'error' } });
  const fleets: Fleet[] = [];
  try {
    for (let i = 0; i < 20; i++) await postComment(server.url, SLUG, '热身', `热身 ${i} ${FILLER}`);
    const healthy = await openFleet(server, HEALTHY);
    fleets.push(healthy);
    if (stalled > 0) fleets.push(await openFleet(server, stalled, { stall: true }));
    await sleep(1000);
    const rssStartKb = server.rssKb();
    ctx.log(`stall ${stalled} (round ${round + 1}): readers open, posting ${POSTS_PER_SECOND}/s for ${SECONDS} s`);

    const keys = Array.from({ length: POSTS_PER_SECOND * SECONDS }, (_, i) => `stall${stalled}-${round}-${i}`);
    healthy.send({ cmd: 'expect', keys });
    const done = healthy.next('complete', SECONDS * 1000 + 30_000).catch(() => null);
    const rss: number[] = [rssStartKb];
    const timeline: number[] = [rssStartKb];
    const tcpMemStartMb = tcpKernelMb();
    let tcpMemMaxMb = tcpMemStartMb;
    let ticks = 0;
    const sampler = setInterval(() => {
      const kb = server.rssKb();
      rss.push(kb);
      tcpMemMaxMb = Math.max(tcpMemMaxMb, tcpKernelMb());
      if (++ticks % 4 === 0) timeline.push(kb);
    }, 250);
    const sentAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const postMs: number[] = [];
    const cpuStart = cpuSeconds(server.proc.pid);
    const posts: Promise<void>[] = [];
    let postsTimedOut = 0;
    const start = wallNow();
    try {
      for (let i = 0; i < keys.length; i++) {
        await sleep(Math.max(0, start + (i * 1000) / POSTS_PER_SECOND - wallNow()));
        posts.push(
          postComment(server.url, SLUG, '压测', `${i} ${FILLER} #k${keys[i]}`).then(
            (r) => {
              if (r.status !== 201) throw new Error(`stall post refused: ${r.status} ${r.text.slice(0, 200)}`);
              sentAt.set(keys[i], r.sentAt);
              answeredAt.set(keys[i], r.sentAt + r.ms);
              postMs.push(r.ms);
            },
            // A POST that times out (a starved machine) is counted, and its comment left out of the latencies.
            (err: Error) => {
              if (!/^timeout/.test(err.message)) throw err;
              postsTimedOut++;
            },
          ),
        );
      }
      await Promise.all(posts);
      await done;
      await sleep(500);
    } finally {
      clearInterval(sampler);
    }
    const rssEndKb = server.rssKb();
    const serverCpuS = cpuSeconds(server.proc.pid) - cpuStart;
    rss.push(rssEndKb);

    healthy.send({ cmd: 'collect' });
    const got = await healthy.next('receipts', 30_000);
    const stalledFleet = fleets[1];
    stalledFleet?.send({ cmd: 'collect' });
    const st = stalledFleet ? await stalledFleet.next('receipts', 30_000) : null;
    const all: number[] = [];
    const late: number[] = [];
    // Receipt minus the POST's answer (negative when the event came first): the fan-out without the write path.
    const afterAnswer: number[] = [];
    let lost = 0;
    keys.forEach((key, k) => {
      if (!sentAt.has(key)) return;
      const times = got.keys[key] ?? new Float64Array(HEALTHY).fill(NaN);
      for (let i = 0; i < HEALTHY; i++) {
        if (Number.isNaN(times[i])) lost++;
        else {
          const ms = times[i] - sentAt.get(key)!;
          all.push(ms);
          afterAnswer.push(times[i] - answeredAt.get(key)!);
          if (k >= keys.length / 2) late.push(ms);
        }
      }
    });
    const s = summarize(all);
    // Where the tail is: the posts whose slowest healthy receipt was slowest, in posting order, each with its POST's
    // answer time (a slow answer is the write path; a slow receipt after a quick answer is the fan-out).
    const slowest = keys
      .flatMap((key, k) => {
        const times = got.keys[key];
        if (!times || !sentAt.has(key)) return [];
        let worst = 0;
        for (let i = 0; i < HEALTHY; i++) if (!Number.isNaN(times[i])) worst = Math.max(worst, times[i] - sentAt.get(key)!);
        return [{ k, worst, answer: answeredAt.get(key)! - sentAt.get(key)! }];
      })
      .sort((a, b) => b.worst - a.worst)
      .slice(0, 12)
      .sort((a, b) => a.k - b.k);
    ctx.log(`stall ${stalled} (round ${round + 1}): slowest posts (#index: slowest receipt / answer, ms): ${slowest.map((x) => `#${x.k}: ${x.worst.toFixed(0)} / ${x.answer.toFixed(0)}`).join(', ')}`);
    ctx.log(`stall ${stalled} (round ${round + 1}): healthy p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms; POST p99 ${summarize(postMs).p99.toFixed(1)} ms; RSS start/max/end ${[rssStartKb, Math.max(...rss.filter(Number.isFinite)), rssEndKb].map((kb) => Math.round(kb / 1024)).join('/')} MB; kernel TCP memory ${tcpMemStartMb.toFixed(0)} -> max ${tcpMemMaxMb.toFixed(0)} MB; server CPU ${(cpuSeconds(server.proc.pid) - cpuStart).toFixed(1)} s`);
    return {
      stalled,
      posts: keys.length,
      p50: s.p50,
      p99: s.p99,
      p99SecondHalf: summarize(late).p99,
      max: s.max,
      lost,
      rssStartKb,
      rssMaxKb: Math.max(...rss.filter(Number.isFinite)),
      rssEndKb,
      presenceEnd: got.presence,
      healthyDropped: got.disconnects,
      postP50: summarize(postMs).p50,
      postP99: summarize(postMs).p99,
      serverCpuS,
      postsTimedOut,
      rssTimelineMb: timeline.map((kb) => Math.round(kb / 1024)),
      samples: all,
      lateSamples: late,
      afterAnswerSamples: afterAnswer,
      postSamples: postMs,
      roundP99: [s.p99],
      tcpMemStartMb,
      tcpMemMaxMb,
      stalledDrops: st?.disconnects ?? 0,
      stalledRestalls: st?.restalls ?? 0,
      stalledConnectedEnd: st?.connected ?? 0,
    };
  } finally {
    for (const f of fleets) await f.close();
    await server.stop();
  }
}

/**
 * BENCH_STALL_ROUNDS pairs (default 2), in the order without, with, with, without, ... (ABBA): a machine whose
 * load drifts during the run (other work starting or ending) weighs on both setups alike. Latencies are pooled.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_STALL_ROUNDS ?? 2));

export async function runStall(ctx: Context): Promise<Row[]> {
  const runs: { 0: StallFigures[]; [STALLED]: StallFigures[] } = { 0: [], [STALLED]: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of r % 2 === 0 ? [0, STALLED] : [STALLED, 0]) runs[n as 0].push(await measureStall(ctx, n, r));
  }
  const base = pool(runs[0]);
  const hit = pool(runs[STALLED]);
  for (const f of [base, hit]) {
    ctx.log(
      `stall ${f.stalled}: healthy p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (2nd half ${f.p99SecondHalf.toFixed(1)}), max ${f.max.toFixed(1)} ms, ` +
        `lost ${f.lost}, healthy dropped ${f.healthyDropped}, presence at end ${f.presenceEnd}; ` +
        `POST p50 ${f.postP50.toFixed(1)} ms, p99 ${f.postP99.toFixed(1)} ms, ${f.postsTimedOut} timed out; server CPU ${f.serverCpuS.toFixed(1)} s`,
    );
    if (f.stalled > 0) ctx.log(`stall ${f.stalled}: stalled readers noticed ${f.stalledDrops} drops, came back and stalled again ${f.stalledRestalls} times, ${f.stalledConnectedEnd} still connected at the end (all rounds)`);
    ctx.log(`stall ${f.stalled}: RSS MB each second: ${f.rssTimelineMb.join(' ')} (start/max/end ${Math.round(f.rssStartKb / 1024)}/${Math.round(f.rssMaxKb / 1024)}/${Math.round(f.rssEndKb / 1024)})`);
  }
  ctx.log(`stall: each round's healthy p99 (ms): without ${base.roundP99.map((x) => x.toFixed(0)).join(', ')}; with ${STALLED} stalled ${hit.roundP99.map((x) => x.toFixed(0)).join(', ')}`);
  const after = [hit, base].map((f) => summarize(f.afterAnswerSamples).p99);
  ctx.log(`stall: healthy receipt after the POST answered, p99 with / without = ${after[0].toFixed(1)} / ${after[1].toFixed(1)} ms (the fan-out without the write path)`);
  ctx.log(`stall: healthy p99 with ${STALLED} stalled / without = ${hit.p99.toFixed(1)} / ${base.p99.toFixed(1)} ms = ${(hit.p99 / base.p99).toFixed(2)}x over ${ROUNDS} round(s) (target <= 1.3x)`);
  const strip = ({ samples: _a, lateSamples: _b, postSamples: _c, afterAnswerSamples: _d, ...f }: StallFigures) => ({ ...f, afterAnswerP99: summarize(_d).p99 });
  ctx.raw.stall = { healthy: HEALTHY, stalled: STALLED, postsPerSecond: POSTS_PER_SECOND, seconds: SECONDS, rounds: ROUNDS, without: strip(base), with: strip(hit) };
  // The "floor" column holds the same run without stalled readers.
  const g = `Stalled readers (${STALLED} stalled, ${HEALTHY} healthy; floor column = no stalled)`;
  const mb = (kb: number) => kb / 1024;
  return [
    row(g, 'healthy latency p50', 'ms', hit.p50, base.p50),
    row(g, 'healthy latency p99', 'ms', hit.p99, base.p99, { kind: 'ratioMax', value: 1.3 }),
    row(g, 'healthy latency p99, 2nd half', 'ms', hit.p99SecondHalf, base.p99SecondHalf),
    row(g, 'healthy receipt after the POST answered, p99', 'ms', summarize(hit.afterAnswerSamples).p99, summarize(base.afterAnswerSamples).p99),
    row(g, 'healthy lost deliveries', 'count', hit.lost, base.lost, { kind: 'zero' }),
    row(g, 'healthy readers dropped', 'count', hit.healthyDropped, base.healthyDropped, { kind: 'zero' }),
    row(g, 'POST latency p99 (write path)', 'ms', hit.postP99, base.postP99),
    row(g, 'server CPU while posting', 's', hit.serverCpuS, base.serverCpuS),
    row(g, 'POSTs timed out (30 s)', 'count', hit.postsTimedOut, base.postsTimedOut, { kind: 'zero' }),
    row(g, 'server RSS start', 'MB', mb(hit.rssStartKb), mb(base.rssStartKb)),
    row(g, 'server RSS max', 'MB', mb(hit.rssMaxKb), mb(base.rssMaxKb)),
    row(g, 'server RSS end', 'MB', mb(hit.rssEndKb), mb(base.rssEndKb)),
    row(g, 'RSS growth (max - start)', 'MB', mb(hit.rssMaxKb - hit.rssStartKb), mb(base.rssMaxKb - base.rssStartKb), { kind: 'max', value: 100 }),
    row(g, 'kernel TCP memory growth (machine-wide)', 'MB', hit.tcpMemMaxMb - hit.tcpMemStartMb, base.tcpMemMaxMb - base.tcpMemStartMb),
    row(g, 'readers counted at the end', 'count', hit.presenceEnd, base.presenceEnd, { kind: 'max', value: HEALTHY }),
  ];
}
