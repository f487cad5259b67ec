// Owns the post-throughput run: autocannon POSTs to the comment API, 50 connections, each body unique
// (autocannon's [<id>]) so that the repeat-post rule never refuses one, no links, no cookie (each post is
// a new first-time author, as on a busy public article).
import autocannon from 'autocannon';
import { SLUG, startServer, type Kind } from '../lib/procs';
import { row, type Row } from '../lib/table';
import type { Context } from './context';

export interface PostFigures {
  postsPerSec: number;
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

function cannon(url: string, seconds: number, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${url}/api/articles/${SLUG}/comments`,
        method: 'POST',
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: '压测读者', body: '压测评论 [<id>],没有链接。' }),
        idReplacement: true,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    inst.on('error', reject);
  });
}

export async function measurePosts(ctx: Context, kind: Kind): Promise<PostFigures> {
  const server = await startServer({ kind, dataDir: ctx.tmp(`posts-${kind}`), cpuProfDir: ctx.profileDir(kind, 'posts') });
  try {
    await cannon(server.url, 2, ctx.connections);
    const r = await cannon(server.url, ctx.postSeconds, ctx.connections);
    return {
      postsPerSec: r['2xx'] / (r.duration || ctx.postSeconds),
      requestsPerSec: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      total: r.requests.total,
    };
  } finally {
    await server.stop();
  }
}

export async function runPosts(ctx: Context): Promise<Row[]> {
  const floor = await measurePosts(ctx, 'floor');
  ctx.log(`posts floor: ${Math.round(floor.postsPerSec)}/s p99 ${floor.p99} ms`);
  const yilun = await measurePosts(ctx, 'yilun');
  ctx.log(`posts yilun: ${Math.round(yilun.postsPerSec)}/s p99 ${yilun.p99} ms`);
  ctx.raw.posts = { floor, yilun, connections: ctx.connections, seconds: ctx.postSeconds };
  const g = `Posts (${ctx.connections} conn, ${ctx.postSeconds} s)`;
  return [
    row(g, 'posts/s (2xx)', '/s', yilun.postsPerSec, floor.postsPerSec, { kind: 'ratioMin', value: 0.7 }),
    row(g, 'latency p50', 'ms', yilun.p50, floor.p50),
    row(g, 'latency p99', 'ms', yilun.p99, floor.p99),
    row(g, 'non-2xx + errors', 'count', yilun.non2xx + yilun.errors, floor.non2xx + floor.errors, { kind: 'zero' }),
  ];
}
