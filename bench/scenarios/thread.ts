// Owns the thread-size runs: the article page and the first API page over threads of 1k, 10k and 100k
// comments (seeded in bulk, with replies), timed as sequential requests; the floor serves its flat API
// page over the same number of rows. Every server runs at once, the sizes take turns in rounds, and within a
// round the floor's and Yilun's requests alternate one by one: each latency ratio is the median of the
// per-round p50 ratios, so drift on a shared machine can favour neither side nor one size. Yilun runs twice per size, with its page cache
// and without (PAGE_CACHE_BYTES=0, on a copy of the same database): every cached answer is compared with
// the uncached one of the same seq, and first-page GETs per second are measured on both. Timed requests send
// what Chromium sends (Accept-Encoding "gzip, deflate, br, zstd"), to the floor as to Yilun; the same requests
// without Accept-Encoding (identity) are timed in the same rounds and reported as info rows.
import fs from 'node:fs';
import { BROWSER_HEADERS, request } from '../lib/http';
import { checkGzip, freshUnderWrites, getsPerSecond, timeInterleaved, withoutStamp } from '../lib/reads';
import { SLUG, startServer, type RunningServer } from '../lib/procs';
import { seedFloor, seedYilun } from '../lib/seed';
import { medianRatio, ratio, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

const ROUNDS = 7;
const PER_ROUND = 40;
/** Compressed answers (API and page; gzip and brotli in turn) checked against the uncached answer per round. */
const GZIP_CHECKS = 5;
const THROUGHPUT_SECONDS = 3;
/** Writes (posts, replies, likes) each followed by cached reads checked for freshness. */
const WRITE_ROUNDS = 60;

interface SizeFigures {
  comments: number;
  seedMs: number;
  pageP50: number;
  pageP99: number;
  apiP50: number;
  apiP99: number;
  floorApiP50: number;
  floorApiP99: number;
  offPageP50: number;
  offApiP50: number;
  api3P50: number;
  /** Without Accept-Encoding (identity bodies). */
  idPageP50: number;
  idApiP50: number;
  idFloorApiP50: number;
  idPageRatio: { ratio: number; ratios: number[] };
  /** Bytes on the wire, as a browser gets them and identity. */
  pageBytes: number;
  idPageBytes: number;
  stale: number;
  /** Per-round p50 ratios against the floor's API page (same round, interleaved), and their medians. */
  pageRatio: { ratio: number; ratios: number[] };
  apiRatio: { ratio: number; ratios: number[] };
}

interface Subject {
  total: number;
  seedMs: number;
  yilun: RunningServer;
  /** The same database without the page cache. */
  off: RunningServer;
  floor: RunningServer;
  page: number[];
  api: number[];
  offPage: number[];
  offApi: number[];
  floorApi: number[];
  /** The cached API page with limit=3: about the floor's 2.5 KB, so only per-request costs differ. */
  api3: number[];
  /** The same without Accept-Encoding. */
  id: { page: number[]; api: number[]; floorApi: number[] };
  bytes: { page: number; idPage: number };
  stale: number;
  /** p50 of each round, per series. */
  rounds: { page: number[]; api: number[]; floorApi: number[]; idPage: number[]; idFloorApi: number[] };
}

async function prepare(ctx: Context, total: number): Promise<Subject> {
  const t0 = Date.now();
  const yDir = ctx.tmp(`thread-yilun-${total}`);
  await seedYilun(yDir, total);
  const fDir = ctx.tmp(`thread-floor-${total}`);
  seedFloor(fDir, total);
  const offDir = ctx.tmp(`thread-yilun-off-${total}`);
  fs.cpSync(yDir, offDir, { recursive: true });
  const seedMs = Date.now() - t0;
  // --profile: the cached server of the first size, under every read it serves here.
  const yilun = await startServer({ kind: 'yilun', dataDir: yDir, cpuProfDir: total === ctx.threadSizes[0] ? ctx.profileDir('yilun', 'thread') : undefined });
  const off = await startServer({ kind: 'yilun', dataDir: offDir, env: { PAGE_CACHE_BYTES: '0' } });
  const floor = await startServer({ kind: 'floor', dataDir: fDir });
  const first = JSON.parse((await request('GET', `${yilun.url}/api/articles/${SLUG}/comments`)).text) as { commentCount: number };
  if (first.commentCount !== total) throw new Error(`seeded ${total} comments but the article counts ${first.commentCount}`);
  return { total, seedMs, yilun, off, floor, page: [], api: [], offPage: [], offApi: [], floorApi: [], api3: [], id: { page: [], api: [], floorApi: [] }, bytes: { page: 0, idPage: 0 }, stale: 0, rounds: { page: [], api: [], floorApi: [], idPage: [], idFloorApi: [] } };
}

/** One round for one size: every series interleaved request by request, cached answers checked against the uncached ones. */
async function round(s: Subject, warm: number): Promise<void> {
  const api = `/api/articles/${SLUG}/comments`;
  const page = `/articles/${SLUG}`;
  const refApi = (await request('GET', `${s.off.url}${api}`)).text;
  const refPage = withoutStamp((await request('GET', `${s.off.url}${page}`)).text);
  const t = await timeInterleaved(
    [
      { url: `${s.floor.url}${api}`, headers: BROWSER_HEADERS },
      { url: `${s.yilun.url}${api}`, expected: refApi, headers: BROWSER_HEADERS },
      { url: `${s.yilun.url}${page}`, expected: refPage, normalize: withoutStamp, headers: BROWSER_HEADERS },
      { url: `${s.off.url}${api}`, headers: BROWSER_HEADERS },
      { url: `${s.off.url}${page}`, headers: BROWSER_HEADERS },
      { url: `${s.yilun.url}${api}?limit=3`, headers: BROWSER_HEADERS },
      { url: `${s.floor.url}${api}` },
      { url: `${s.yilun.url}${api}`, expected: refApi },
      { url: `${s.yilun.url}${page}`, expected: refPage, normalize: withoutStamp },
    ],
    PER_ROUND,
    warm,
  );
  const [floorApi, a, p, offApi, offPage, api3, idFloorApi, idApi, idPage] = t.ms;
  s.id.floorApi.push(...idFloorApi);
  s.id.api.push(...idApi);
  s.id.page.push(...idPage);
  s.rounds.idFloorApi.push(summarize(idFloorApi).p50);
  s.rounds.idPage.push(summarize(idPage).p50);
  s.bytes = { page: t.bytes[2], idPage: t.bytes[8] };
  s.floorApi.push(...floorApi);
  s.api.push(...a);
  s.page.push(...p);
  s.offApi.push(...offApi);
  s.offPage.push(...offPage);
  s.api3.push(...api3);
  s.rounds.floorApi.push(summarize(floorApi).p50);
  s.rounds.api.push(summarize(a).p50);
  s.rounds.page.push(summarize(p).p50);
  s.stale += t.stale.reduce((x, y) => x + y, 0);
  // What a browser gets: the precompressed variants, decompressed, must be the same answers.
  s.stale += (await checkGzip(`${s.yilun.url}${page}`, GZIP_CHECKS, refPage, withoutStamp)).stale;
  s.stale += (await checkGzip(`${s.yilun.url}${api}`, GZIP_CHECKS, refApi)).stale;
}

/** Server CPU per request (µs): the cached and uncached first page, the cached article page, the floor's page. */
interface CpuPerGet {
  cached: number;
  off: number;
  page: number;
  floor: number;
}

/** First-page GETs per second, cached and uncached, taking turns cached-off-off-cached; the floor's once; the server's CPU per GET. */
async function throughput(ctx: Context, s: Subject): Promise<{ cached: number; off: number; floor: number; non2xx: number; cpuUs: CpuPerGet; paired: { ratio: number; ratios: number[] } }> {
  const url = (srv: RunningServer) => `${srv.url}/api/articles/${SLUG}/comments`;
  const runs = { cached: [] as number[], off: [] as number[] };
  const cpu = { cached: [] as number[], off: [] as number[] };
  let non2xx = 0;
  for (const which of ['cached', 'off', 'off', 'cached'] as const) {
    const srv = which === 'cached' ? s.yilun : s.off;
    const r = await getsPerSecond(url(srv), THROUGHPUT_SECONDS, ctx.connections, srv.proc.pid);
    runs[which].push(r.rps);
    cpu[which].push(r.cpuUs);
    non2xx += r.non2xx;
  }
  const floor = await getsPerSecond(url(s.floor), THROUGHPUT_SECONDS, ctx.connections, s.floor.proc.pid);
  const page = await getsPerSecond(`${s.yilun.url}/articles/${SLUG}`, THROUGHPUT_SECONDS, ctx.connections, s.yilun.proc.pid);
  non2xx += page.non2xx;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Pairs side by side (cached-off, then off-cached): the median of their ratios is the verdict.
  const paired = medianRatio(runs.cached, runs.off);
  return { cached: mean(runs.cached), off: mean(runs.off), floor: floor.rps, non2xx, cpuUs: { cached: mean(cpu.cached), off: mean(cpu.off), page: page.cpuUs, floor: floor.cpuUs }, paired };
}

export async function runThread(ctx: Context): Promise<Row[]> {
  const subjects: Subject[] = [];
  let gets = { cached: NaN, off: NaN, floor: NaN, non2xx: NaN, cpuUs: { cached: NaN, off: NaN, page: NaN, floor: NaN }, paired: { ratio: NaN, ratios: [] as number[] } };
  let fresh = { checked: 0, skipped: 0, stale: NaN };
  try {
    for (const total of ctx.threadSizes) subjects.push(await prepare(ctx, total));
    for (let r = 0; r < ROUNDS; r++) for (const s of subjects) await round(s, r === 0 ? 20 : 3);
    const small = subjects[0];
    gets = await throughput(ctx, small);
    ctx.log(`first-page GETs/s (${small.total} comments): cached ${Math.round(gets.cached)}, cache off ${Math.round(gets.off)}, floor ${Math.round(gets.floor)}`);
    fresh = await freshUnderWrites(small.yilun, WRITE_ROUNDS);
    ctx.log(`fresh under writes: ${fresh.checked} cached answers checked, ${fresh.skipped} skipped (seq moved), ${fresh.stale} stale`);
  } finally {
    for (const s of subjects) await Promise.all([s.yilun.stop(), s.off.stop(), s.floor.stop()]);
  }
  const sizes: SizeFigures[] = subjects.map((s) => {
    const [page, api, floorApi, offPage, offApi] = [summarize(s.page), summarize(s.api), summarize(s.floorApi), summarize(s.offPage), summarize(s.offApi)];
    ctx.log(
      `thread ${s.total}: page p50 ${page.p50.toFixed(2)} ms (cache off ${offPage.p50.toFixed(2)}), api p50 ${api.p50.toFixed(2)} ms (cache off ${offApi.p50.toFixed(2)}), ` +
        `floor api p50 ${floorApi.p50.toFixed(2)} ms, ${s.stale} stale (seeded in ${s.seedMs} ms)`,
    );
    return {
      comments: s.total,
      seedMs: s.seedMs,
      pageP50: page.p50,
      pageP99: page.p99,
      apiP50: api.p50,
      apiP99: api.p99,
      floorApiP50: floorApi.p50,
      floorApiP99: floorApi.p99,
      offPageP50: offPage.p50,
      offApiP50: offApi.p50,
      api3P50: summarize(s.api3).p50,
      idPageP50: summarize(s.id.page).p50,
      idApiP50: summarize(s.id.api).p50,
      idFloorApiP50: summarize(s.id.floorApi).p50,
      idPageRatio: medianRatio(s.rounds.idPage, s.rounds.idFloorApi),
      pageBytes: s.bytes.page,
      idPageBytes: s.bytes.idPage,
      stale: s.stale,
      pageRatio: medianRatio(s.rounds.page, s.rounds.floorApi),
      apiRatio: medianRatio(s.rounds.api, s.rounds.floorApi),
    };
  });
  ctx.raw.thread = { requests: ROUNDS * PER_ROUND, sizes, firstPageGetsPerSec: gets, freshUnderWrites: fresh };
  const rows: Row[] = [];
  for (const s of sizes) {
    const g = `Thread ${s.comments.toLocaleString('en-US')} comments`;
    rows.push(
      row(g, 'page GET p50 (vs floor API)', 'ms', s.pageP50, s.floorApiP50, { kind: 'ratioMax', value: 1.5 }, s.pageRatio),
      row(g, 'API page GET p50', 'ms', s.apiP50, s.floorApiP50, { kind: 'ratioMax', value: 1.2 }, s.apiRatio),
      row(g, 'page GET p50, no Accept-Encoding (vs floor API, same)', 'ms', s.idPageP50, s.idFloorApiP50, undefined, s.idPageRatio),
      row(g, 'API page GET p50, no Accept-Encoding (vs floor API, same)', 'ms', s.idApiP50, s.idFloorApiP50),
      row(g, 'page bytes on the wire (floor col: identity)', 'KB', s.pageBytes / 1024, s.idPageBytes / 1024),
      row(g, 'page GET p50, cache off', 'ms', s.offPageP50, s.floorApiP50),
      row(g, 'API page GET p50, cache off', 'ms', s.offApiP50, s.floorApiP50),
      row(g, 'API GET p50, limit=3 (floor-sized body)', 'ms', s.api3P50, s.floorApiP50),
      row(g, 'stale cached answers', 'count', s.stale, null, { kind: 'zero' }),
    );
  }
  const first = sizes[0];
  if (first) {
    const g = `First page GETs (${first.comments.toLocaleString('en-US')}, ${ctx.connections} conn)`;
    rows.push(
      row(g, 'GETs/s cached (floor col: same run, cache off)', '/s', gets.cached, gets.off, { kind: 'ratioMin', value: 3 }, gets.paired),
      row(g, 'GETs/s cached (vs floor)', '/s', gets.cached, gets.floor),
      row(g, 'non-2xx + errors', 'count', gets.non2xx, null, { kind: 'zero' }),
      row(g, 'server CPU per API GET, cached', 'µs', gets.cpuUs.cached, gets.cpuUs.floor),
      row(g, 'server CPU per API GET, cache off', 'µs', gets.cpuUs.off, gets.cpuUs.floor),
      row(g, 'server CPU per page GET, cached (vs floor API)', 'µs', gets.cpuUs.page, gets.cpuUs.floor),
      row('Fresh under writes', `stale of ${fresh.checked} checked (${fresh.skipped} skipped)`, 'count', fresh.stale, null, { kind: 'zero' }),
    );
  }
  const small = sizes[0];
  const big = sizes[sizes.length - 1];
  if (sizes.length > 1) {
    const g = `Thread ${big.comments / 1000}k vs ${small.comments / 1000}k`;
    rows.push(
      row(g, 'page p50 ratio', 'x', ratio(big.pageP50, small.pageP50), null, { kind: 'max', value: 1.5 }),
      row(g, 'API page p50 ratio', 'x', ratio(big.apiP50, small.apiP50), ratio(big.floorApiP50, small.floorApiP50), { kind: 'max', value: 1.5 }),
    );
  }
  return rows;
}
