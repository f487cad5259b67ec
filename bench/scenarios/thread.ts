// Owns the thread-size runs: the article page and the first API page over threads of 1k, 10k and 100k
// comments (seeded in bulk, with replies), timed as sequential requests; the floor serves its flat API
// page over the same number of rows. Every server runs at once and the sizes take turns in rounds, so
// that drift on a shared machine cannot favour one size.
import { request, timeGets } from '../lib/http';
import { SLUG, startServer, type RunningServer } from '../lib/procs';
import { seedFloor, seedYilun } from '../lib/seed';
import { ratio, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

const ROUNDS = 3;
const PER_ROUND = 50;

interface SizeFigures {
  comments: number;
  seedMs: number;
  pageP50: number;
  pageP99: number;
  apiP50: number;
  apiP99: number;
  floorApiP50: number;
  floorApiP99: number;
}

interface Subject {
  total: number;
  seedMs: number;
  yilun: RunningServer;
  floor: RunningServer;
  page: number[];
  api: number[];
  floorApi: number[];
}

async function prepare(ctx: Context, total: number): Promise<Subject> {
  const t0 = Date.now();
  const yDir = ctx.tmp(`thread-yilun-${total}`);
  await seedYilun(yDir, total);
  const fDir = ctx.tmp(`thread-floor-${total}`);
  seedFloor(fDir, total);
  const seedMs = Date.now() - t0;
  const yilun = await startServer({ kind: 'yilun', dataDir: yDir });
  const floor = await startServer({ kind: 'floor', dataDir: fDir });
  const first = JSON.parse((await request('GET', `${yilun.url}/api/articles/${SLUG}/comments`)).text) as { commentCount: number };
  if (first.commentCount !== total) throw new Error(`seeded ${total} comments but the article counts ${first.commentCount}`);
  return { total, seedMs, yilun, floor, page: [], api: [], floorApi: [] };
}

export async function runThread(ctx: Context): Promise<Row[]> {
  const subjects: Subject[] = [];
  try {
    for (const total of ctx.threadSizes) subjects.push(await prepare(ctx, total));
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of subjects) {
        const warm = round === 0 ? 10 : 2;
        s.page.push(...(await timeGets(`${s.yilun.url}/articles/${SLUG}`, PER_ROUND, warm)));
        s.api.push(...(await timeGets(`${s.yilun.url}/api/articles/${SLUG}/comments`, PER_ROUND, warm)));
        s.floorApi.push(...(await timeGets(`${s.floor.url}/api/articles/${SLUG}/comments`, PER_ROUND, warm)));
      }
    }
  } finally {
    for (const s of subjects) await Promise.all([s.yilun.stop(), s.floor.stop()]);
  }
  const sizes: SizeFigures[] = subjects.map((s) => {
    const [page, api, floorApi] = [summarize(s.page), summarize(s.api), summarize(s.floorApi)];
    ctx.log(`thread ${s.total}: page p50 ${page.p50.toFixed(2)} ms, api p50 ${api.p50.toFixed(2)} ms, floor api p50 ${floorApi.p50.toFixed(2)} ms (seeded in ${s.seedMs} ms)`);
    return { comments: s.total, seedMs: s.seedMs, pageP50: page.p50, pageP99: page.p99, apiP50: api.p50, apiP99: api.p99, floorApiP50: floorApi.p50, floorApiP99: floorApi.p99 };
  });
  ctx.raw.thread = { requests: ROUNDS * PER_ROUND, sizes };
  const rows: Row[] = [];
  for (const s of sizes) {
    const g = `Thread ${s.comments.toLocaleString('en-US')} comments`;
    rows.push(row(g, 'page GET p50', 'ms', s.pageP50, null), row(g, 'API page GET p50', 'ms', s.apiP50, s.floorApiP50));
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
