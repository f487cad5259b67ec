// Owns the read-path checks of the bench: answers from the page cache compared with uncached reads of the same
// seq (a server with PAGE_CACHE_BYTES=0 on a copy of the database, or Yilun's own read code on the live file),
// and first-page GETs per second under autocannon.
import autocannon from 'autocannon';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { openDb } from '../../server/db/open';
import { createSqliteStore } from '../../server/db/sqlite.store';
import { listComments, type CommentPage } from '../../server/comments/comments.service';
import type { Deps } from '../../server/deps';
import { postComment, request } from './http';
import { SLUG, type RunningServer } from './procs';

/**
 * The parts of a page that differ by when it was rendered, by design: the form stamp, and the relative times
 * ("刚刚", "3 分钟前": a cached page rebuilds them every minute, and two uncached renders a minute apart differ too;
 * each <time> keeps its absolute datetime and title, which are compared).
 */
export const withoutStamp = (html: string) =>
  html.replace(/name="ts" value="[^"]*"/, 'name="ts" value=""').replace(/(<time [^>]*>)[^<]*(<\/time>)/g, '$1$2');

const pageData = (html: string) => JSON.parse(/<script type="application\/json" id="yl-data">([^<]*)<\/script>/.exec(html)?.[1] ?? 'null') as { seq: number; comments: unknown[] } | null;

/** n sequential GETs, each answer compared with `expected` (after `normalize`); latencies and mismatches. */
export async function timeAndCheck(url: string, n: number, warmup: number, expected: string, normalize = (s: string) => s): Promise<{ ms: number[]; stale: number }> {
  for (let i = 0; i < warmup; i++) await request('GET', url);
  const ms: number[] = [];
  let stale = 0;
  for (let i = 0; i < n; i++) {
    const r = await request('GET', url);
    if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}: ${r.text.slice(0, 300)}`);
    ms.push(r.ms);
    if (normalize(r.text) !== expected) stale++;
  }
  return { ms, stale };
}

export interface Series {
  url: string;
  /** When set, each answer (after `normalize`) is compared with it; a difference counts as stale. */
  expected?: string;
  normalize?: (s: string) => string;
  /** Request headers (BROWSER_HEADERS: what Chromium sends); none by default. */
  headers?: Record<string, string>;
}

/**
 * Interleaved timing: request i of every series is sent before request i + 1 of any, one at a time, so the
 * series (the floor's page, Yilun's, ...) see the same moment of a shared machine's load. After `warmup`
 * untimed rounds, n timed ones; the latencies per series, and the stale answers per series.
 */
export async function timeInterleaved(series: Series[], n: number, warmup: number): Promise<{ ms: number[][]; stale: number[]; bytes: number[] }> {
  const ms = series.map(() => [] as number[]);
  const bytes = series.map(() => 0);
  const stale = series.map(() => 0);
  for (let i = 0; i < warmup + n; i++) {
    // The order rotates each round, so that none always goes first after the previous one's answer.
    for (let k = 0; k < series.length; k++) {
      const j = (i + k) % series.length;
      const s = series[j];
      const r = await request('GET', s.url, undefined, s.headers);
      if (r.status !== 200) throw new Error(`GET ${s.url} answered ${r.status}: ${r.text.slice(0, 300)}`);
      if (i < warmup) continue;
      ms[j].push(r.ms);
      bytes[j] = r.bytes;
      if (s.expected !== undefined && (s.normalize ?? ((x: string) => x))(r.text) !== s.expected) stale[j]++;
    }
  }
  return { ms, stale, bytes };
}

/**
 * The answers browsers get, decompressed: Accept-Encoding "gzip, deflate" (expects gzip) and "gzip, deflate, br"
 * (expects brotli), taking turns; each is counted stale unless it came in the expected encoding and equals `expected`.
 */
export async function checkGzip(url: string, n: number, expected: string, normalize = (s: string) => s): Promise<{ stale: number }> {
  let stale = 0;
  for (let i = 0; i < n; i++) {
    const want = i % 2 === 0 ? 'br' : 'gzip';
    const r = await new Promise<{ status: number; encoding?: string; body: Buffer }>((resolve, reject) => {
      http
        .get(url, { headers: { 'accept-encoding': want === 'br' ? 'gzip, deflate, br' : 'gzip, deflate' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
    if (r.status !== 200) throw new Error(`GET ${url} (${want}) answered ${r.status}`);
    if (r.encoding !== want) {
      stale++;
      continue;
    }
    const text = (want === 'br' ? zlib.brotliDecompressSync(r.body) : zlib.gunzipSync(r.body)).toString('utf8');
    if (normalize(text) !== expected) stale++;
  }
  return { stale };
}

/** CPU time (user + system, ms) a process has used so far, from /proc (NaN where there is none). */
export function cpuMs(pid: number | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100;

/**
 * GETs per second with `connections` connections for `seconds`; non-2xx answers are counted apart. With the
 * server's pid, also the server's CPU time per answered request (µs): on a shared machine the load moves latency
 * and throughput a lot, the work a request costs the server much less.
 */
export function getsPerSecond(url: string, seconds: number, connections: number, pid?: number): Promise<{ rps: number; non2xx: number; cpuUs: number }> {
  const before = cpuMs(pid);
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds }, (err, r) =>
      err
        ? reject(err)
        : resolve({ rps: r['2xx'] / (r.duration || seconds), non2xx: r.non2xx + r.errors + r.timeouts, cpuUs: ((cpuMs(pid) - before) * 1000) / Math.max(1, r['2xx']) }),
    );
  });
}

const slim = (c: Record<string, unknown>): Record<string, unknown> => ({
  ...c,
  html: '',
  body: c.mine ? c.body : '',
  replies: (c.replies as Record<string, unknown>[] | undefined)?.map(slim),
});

/**
 * Changes while reading: posts, replies and likes on the live server, each followed by cached reads of the API
 * first page and the article page; each answer is compared with Yilun's own uncached read of the same database
 * file (opened in this process) when that read lands on the same seq. A cached answer older than the change
 * that preceded it, or different from the uncached read of its seq, is stale.
 */
export async function freshUnderWrites(server: RunningServer, rounds: number): Promise<{ checked: number; skipped: number; stale: number }> {
  const db = openDb(path.join(server.dataDir, 'yilun.db'), 'NORMAL', { busyTimeoutMs: 1000 });
  const deps = { store: createSqliteStore(db) } as unknown as Deps;
  const uncached = async () => JSON.parse(JSON.stringify(await listComments(deps, SLUG, { sort: 'newest', limit: 20 }, { authorId: null }))) as CommentPage;
  let checked = 0;
  let skipped = 0;
  let stale = 0;
  try {
    let last = (await uncached()).comments[0] as { id: number };
    for (let i = 0; i < rounds; i++) {
      const kind = i % 3;
      const r =
        kind === 2
          ? await request('POST', `${server.url}/api/comments/${last.id}/like`, undefined, { origin: server.origin })
          : kind === 1
            ? await request('POST', `${server.url}/api/articles/${SLUG}/comments`, { authorName: '新鲜度', body: `回复 ${i}`, parentId: last.id }, { origin: server.origin })
            : await postComment(server.url, SLUG, '新鲜度', `新评论 ${i} ${Date.now()}`, server.origin);
      if (r.status >= 300) throw new Error(`write ${i} answered ${r.status}: ${r.text.slice(0, 200)}`);
      const after = await uncached();
      for (const what of ['api', 'page'] as const) {
        const res = await request('GET', what === 'api' ? `${server.url}/api/articles/${SLUG}/comments` : `${server.url}/articles/${SLUG}`);
        const got = what === 'api' ? (JSON.parse(res.text) as CommentPage) : pageData(res.text);
        if (!got || got.seq < after.seq) {
          stale++;
          continue;
        }
        const ref = await uncached();
        if (ref.seq !== got.seq) {
          skipped++;
          continue;
        }
        checked++;
        const want = what === 'api' ? ref.comments : ref.comments.map((c) => slim(c as unknown as Record<string, unknown>));
        if (JSON.stringify(got.comments) !== JSON.stringify(want)) stale++;
      }
      if (kind === 0) last = after.comments[0] as { id: number };
    }
  } finally {
    db.close();
  }
  return { checked, skipped, stale };
}
