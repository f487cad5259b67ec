// Owns the thread-size runs: the article page and the first API page over threads of 1k, 10k and 100k
// comments (seeded in bulk, with replies), timed as sequential requests; the floor serves its flat API page.
import { request, timeGets } from '../lib/http';
import { SLUG, startServer } from '../lib/procs';
import { seedFloor, seedYilun } from '../lib/seed';
import { ratio, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

const REQUESTS = 150;

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

async function measureSize(ctx: Context, total: number): Promise<SizeFigures> {
  const t0 = Date.now();
  const yDir = ctx.tmp(`thread-yilun-${total}`);
  await seedYilun(yDir, total);
  const fDir = ctx.tmp(`thread-floor-${total}`);
  seedFloor(fDir, total);
  const seedMs = Date.now() - t0;

  const yilun = await startServer({ kind: 'yilun', dataDir: yDir });
  let page, api;
  try {
    const first = JSON.parse((await request('GET', `${yilun.url}/api/articles/${SLUG}/comments`)).text) as { commentCount: number };
    if (first.commentCount !== total) throw new Error(`seeded ${total} comments but the article counts ${first.commentCount}`);
    page = summarize(await timeGets(`${yilun.url}/articles/${SLUG}`, REQUESTS));
    api = summarize(await timeGets(`${yilun.url}/api/articles/${SLUG}/comments`, REQUESTS));
  } finally {
    await yilun.stop();
  }
  const floor = await startServer({ kind: 'floor', dataDir: fDir });
  let floorApi;
  try {
    floorApi = summarize(await timeGets(`${floor.url}/api/articles/${SLUG}/comments`, REQUESTS));
  } finally {
    await floor.stop();
  }
  return { comments: total, seedMs, pageP50: page.p50, pageP99: page.p99, apiP50: api.p50, apiP99: api.p99, floorApiP50: floorApi.p50, floorApiP99: floorApi.p99 };
}

export async function runThread(ctx: Context): Promise<Row[]> {
  const sizes: SizeFigures[] = [];
  for (const total of ctx.threadSizes) {
    const s = await measureSize(ctx, total);
    ctx.log(`thread ${total}: page p50 ${s.pageP50.toFixed(2)} ms, api p50 ${s.apiP50.toFixed(2)} ms (seeded in ${s.seedMs} ms)`);
    sizes.push(s);
  }
  ctx.raw.thread = { requests: REQUESTS, sizes };
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
