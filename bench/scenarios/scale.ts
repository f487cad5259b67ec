// Owns the scale-out rows (--only=scale; opt-in, not in the default run): the same post load and the same
// fan-out on one node on SQLite, one node on PostgreSQL + Redis, and three nodes on PostgreSQL + Redis behind
// nginx (deploy/nginx.conf, as npm run cluster runs it), each figure beside the SQLite node's, with where the
// time goes: post to first receipt (commit and publish), spread (the broadcast), transactions per post.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { dropDatabase, ensureDatabase, freePorts, startNginx, startRedisServer, stopChild, waitFor, waitForRedis } from '../../server/cli/cluster.lib';
import { openFleet } from '../lib/fleet';
import { postComment, wallNow } from '../lib/http';
import { SLUG, startServer, track, type RunningServer } from '../lib/procs';
import { sleep, summarize } from '../lib/stats';
import { row, type Row } from '../lib/table';
import type { Context } from './context';
import { cannon, combine, type PostFigures, type Slice } from './posts';

type SetupName = 'sqlite' | 'pg' | 'cluster';
const LABEL: Record<SetupName, string> = { sqlite: '1 node, SQLite', pg: '1 node, PostgreSQL + Redis', cluster: '3 nodes + nginx, PostgreSQL + Redis' };
const POST_GAP_MS = 200;
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-scale-secret-0123456789abcdef';

interface Deployment {
  /** Where the post load goes: every node directly (as nginx's address hash spreads many clients). */
  postUrls: string[];
  /** Where readers connect (nginx for three nodes, each reader from its own loopback address). */
  readerUrl: string;
  spread: boolean;
  /** Where the fan-out posts go. */
  postUrl: string;
  nodes: RunningServer[];
  /** Committed transactions in the deployment's database so far (PostgreSQL only). */
  xacts(): Promise<number>;
  stop(): Promise<void>;
}

interface FanoutFigures {
  p50: number;
  p99: number;
  firstP50: number;
  spreadP99: number;
  lost: number;
  duplicates: number;
  openMs: number;
  /** Readers the server dropped that came back (reconnect + catch-up), gap fills while connected, refused catch-ups. */
  reconnects: number;
  catchUps: number;
  gapFills: number;
  resets: number;
}
const FAILED: FanoutFigures = { p50: NaN, p99: NaN, firstP50: NaN, spreadP99: NaN, lost: NaN, duplicates: NaN, openMs: NaN, reconnects: NaN, catchUps: NaN, gapFills: NaN, resets: NaN };

/**
 * Reader processes: the same for every setup, so that the fleet weighs on each alike; several, so that one
 * event loop reading 3,000 sockets (about 15,000 messages a second at 5 posts/s) is not what is measured.
 */
const READER_PROCS = Number(process.env.BENCH_SCALE_READER_PROCS ?? 4);

export interface ScaleFigures {
  posts: PostFigures & { xactsPerPost: number };
  fanout: Record<number, FanoutFigures>;
}

/** nginx's complaints during the run, by kind (upstream timeouts, refused connections, no live upstreams). */
function nginxErrors(file: string): string {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'none';
  }
  const kinds = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /\[(?:error|crit|alert|emerg|warn)\] [\d#]+: (?:\*\d+ )?([^,(]+)/.exec(line);
    if (m) kinds.set(m[1].trim(), (kinds.get(m[1].trim()) ?? 0) + 1);
  }
  return kinds.size ? [...kinds].map(([k, n]) => `${n} x ${k}`).join('; ') : 'none';
}

async function xactCount(dbName: string): Promise<number> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [dbName]);
    return Number(r.rows[0]?.n ?? NaN);
  } finally {
    await c.end();
  }
}

async function deploy(ctx: Context, name: SetupName): Promise<Deployment> {
  const dataDir = (i: number) => ctx.tmp(`scale-${name}-${i}`);
  const prof = (i: number) => ctx.profileDir('yilun', `scale-${name}-${i}`);
  if (name === 'sqlite') {
    // DATABASE_URL empty: SQLite even when the run was started with --store=postgres.
    const node = await startServer({ kind: 'yilun', dataDir: dataDir(0), cpuProfDir: prof(0), env: { DATABASE_URL: '' } });
    return { postUrls: [node.url], readerUrl: node.url, spread: false, postUrl: node.url, nodes: [node], xacts: async () => NaN, stop: () => node.stop() };
  }
  const dbName = `yilun_bench_scale_${name}_${process.pid}`;
  await dropDatabase(ADMIN_URL, dbName);
  const databaseUrl = await ensureDatabase(ADMIN_URL, dbName);
  const count = name === 'cluster' ? 3 : 1;
  const [redisPort, nginxPort, ...ports] = await freePorts(2 + count, false);
  const redis = track(startRedisServer(redisPort, ctx.tmp(`scale-${name}-redis`)));
  const nodes: RunningServer[] = [];
  let nginx: ReturnType<typeof startNginx> | undefined;
  let nginxLog = '';
  const stop = async () => {
    if (nginxLog) ctx.log(`scale nginx error log: ${nginxErrors(nginxLog)}`);
    await stopChild(nginx);
    await Promise.all(nodes.map((n) => n.stop()));
    await stopChild(redis);
    await dropDatabase(ADMIN_URL, dbName).catch(() => undefined);
  };
  try {
    await waitForRedis(redisPort);
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: `ybench${name}${process.pid}`,
      SESSION_SECRET: SECRET,
      IP_HASH_KEY: SECRET,
      TRUST_PROXY: 'loopback',
    };
    // One node first (migrations, content), then the others, as npm run cluster starts them.
    for (let i = 0; i < count; i++) nodes.push(await startServer({ kind: 'yilun', port: ports[i], dataDir: dataDir(i), cpuProfDir: prof(i), env }));
    const urls = nodes.map((n) => n.url);
    if (name === 'pg') return { postUrls: urls, readerUrl: urls[0], spread: false, postUrl: urls[0], nodes, xacts: () => xactCount(dbName), stop };
    const nginxDir = ctx.tmp('scale-nginx');
    nginx = track(startNginx(nginxDir, nginxPort, ports));
    nginxLog = path.join(nginxDir, 'error.log');
    const publicUrl = `http://127.0.0.1:${nginxPort}`;
    await waitFor(`${publicUrl}/readyz`, 15_000, nginx);
    return { postUrls: urls, readerUrl: publicUrl, spread: true, postUrl: publicUrl, nodes, xacts: () => xactCount(dbName), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The post load split over the deployment's nodes at once, `connections` in all. */
async function postLoad(d: Deployment, seconds: number, connections: number): Promise<Slice> {
  const per = d.postUrls.map((_, i) => Math.floor(connections / d.postUrls.length) + (i < connections % d.postUrls.length ? 1 : 0));
  const slices = await Promise.all(d.postUrls.map((u, i) => cannon(u, seconds, per[i])));
  return {
    ok: slices.reduce((a, s) => a + s.ok, 0),
    non2xx: slices.reduce((a, s) => a + s.non2xx, 0),
    errors: slices.reduce((a, s) => a + s.errors, 0),
    seconds: Math.max(...slices.map((s) => s.seconds)),
    latencies: slices.flatMap((s) => s.latencies),
  };
}

async function fanout(ctx: Context, d: Deployment, name: SetupName, n: number): Promise<FanoutFigures> {
  const fleet = await openFleet({ url: d.readerUrl, origin: d.readerUrl }, n, { spread: d.spread, live: true, procs: READER_PROCS, openTimeoutMs: 60_000 + n * 60 });
  try {
    await sleep(1000);
    const keys = Array.from({ length: ctx.fanoutPosts }, (_, i) => `scale-${name}-${n}-${i}`);
    const sentAt = new Map<string, number>();
    fleet.send({ cmd: 'expect', keys });
    // Readers the server dropped come back and catch up (the final state is what counts): time for that too.
    const done = fleet.next('complete', 20_000 + n * 10 + ctx.fanoutPosts * POST_GAP_MS * 2).catch(() => null);
    for (const key of keys) {
      const t = wallNow();
      const r = await postComment(d.postUrl, SLUG, '压测', `扩展测试 #k${key}`);
      if (r.status !== 201) throw new Error(`${name} refused a fan-out post: ${r.status} ${r.text.slice(0, 200)}`);
      sentAt.set(key, r.sentAt);
      await sleep(Math.max(0, t + POST_GAP_MS - wallNow()));
    }
    await done;
    await sleep(300);
    fleet.send({ cmd: 'collect' });
    const got = await fleet.next('receipts', 30_000);
    ctx.log(`scale ${name} ${n}: readers dropped and back ${got.reconnects}, catch-ups with bench posts ${got.catchUps}, gap fills ${got.gapFills}, refused catch-ups ${got.resets}, disconnect reasons ${JSON.stringify(got.reasons)}, connected at the end ${got.connected}, presence ${got.presence}`);
    const latencies: number[] = [];
    const firsts: number[] = [];
    const spread: number[] = [];
    let lost = 0;
    for (const key of keys) {
      const times = got.keys[key] ?? new Float64Array(n).fill(NaN);
      let first = Infinity;
      for (let i = 0; i < n; i++) if (times[i] < first) first = times[i];
      if (Number.isFinite(first)) firsts.push(first - sentAt.get(key)!);
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(times[i])) lost++;
        else {
          latencies.push(times[i] - sentAt.get(key)!);
          spread.push(times[i] - first);
        }
      }
    }
    const s = summarize(latencies);
    return {
      p50: s.p50,
      p99: s.p99,
      firstP50: summarize(firsts).p50,
      spreadP99: summarize(spread).p99,
      lost,
      duplicates: got.duplicates,
      openMs: fleet.openMs,
      reconnects: got.reconnects,
      catchUps: got.catchUps,
      gapFills: got.gapFills,
      resets: got.resets,
    };
  } finally {
    await fleet.close();
  }
}

/** One row's fan-out; one that fails (readers that cannot all connect on a starved machine) is a row that fails, not a lost run. */
async function measureFanout(ctx: Context, d: Deployment, name: SetupName, n: number): Promise<FanoutFigures> {
  const f = await fanout(ctx, d, name, n).catch((err: Error) => {
    ctx.log(`scale ${LABEL[name]} ${n} readers FAILED: ${err.message}`);
    return FAILED;
  });
  ctx.log(`scale ${LABEL[name]} ${n} readers: p99 ${f.p99.toFixed(1)} ms (post to first receipt p50 ${f.firstP50.toFixed(1)}, spread p99 ${f.spreadP99.toFixed(1)}), lost ${f.lost}, duplicates ${f.duplicates}`);
  return f;
}

/**
 * Every setup is up at once and they take turns (A B C C B A, half the seconds each), as the posts scenario
 * does with the floor: a neighbour's load on a shared machine weighs on all three alike.
 */
async function measureAll(ctx: Context, names: SetupName[], readers: number[]): Promise<Record<SetupName, ScaleFigures>> {
  const ds = {} as Record<SetupName, Deployment>;
  const all = {} as Record<SetupName, ScaleFigures>;
  try {
    for (const name of names) ds[name] = await deploy(ctx, name);
    for (const name of names) await postLoad(ds[name], 2, ctx.connections);
    const slices = {} as Record<SetupName, Slice[]>;
    const xacts = {} as Record<SetupName, number>;
    for (const name of [...names, ...[...names].reverse()]) {
      const before = await ds[name].xacts();
      (slices[name] ??= []).push(await postLoad(ds[name], ctx.postSeconds / 2, ctx.connections));
      await sleep(1000); // PostgreSQL's statistics reach pg_stat_database within a second
      xacts[name] = (xacts[name] ?? 0) + (await ds[name].xacts()) - before;
    }
    for (const name of names) {
      const ok = slices[name].reduce((a, x) => a + x.ok, 0);
      const posts = { ...combine(slices[name]), xactsPerPost: xacts[name] / ok };
      all[name] = { posts, fanout: {} };
      ctx.log(`scale ${LABEL[name]}: ${Math.round(posts.postsPerSec)} posts/s, p50 ${posts.p50.toFixed(0)} ms${Number.isFinite(posts.xactsPerPost) ? `, ${posts.xactsPerPost.toFixed(2)} PostgreSQL transactions per post` : ''}`);
    }
    for (const n of readers) for (const name of names) all[name].fanout[n] = await measureFanout(ctx, ds[name], name, n);
    return all;
  } finally {
    for (const name of names) await ds[name]?.stop();
  }
}

export async function runScale(ctx: Context): Promise<Row[]> {
  const readers = ctx.readers.filter((n) => n >= 1000).length ? ctx.readers.filter((n) => n >= 1000) : ctx.readers;
  // BENCH_SCALE_SETUPS=cluster (or pg,cluster) runs only some setups: for looking into one; the table needs all three.
  const only = process.env.BENCH_SCALE_SETUPS?.split(',');
  const names = (['sqlite', 'pg', 'cluster'] as const).filter((n) => !only || only.includes(n));
  const all = await measureAll(ctx, names, readers);
  if (only) {
    ctx.raw.scale = { readers, figures: all };
    return [];
  }
  ctx.raw.scale = { readers, posts: ctx.fanoutPosts, gapMs: POST_GAP_MS, connections: ctx.connections, seconds: ctx.postSeconds, setups: LABEL, figures: all };

  // The "floor" column of these rows is the one SQLite node: every ratio is to it.
  const base = all.sqlite;
  const rows: Row[] = [];
  const g = (what: string) => `Scale ${what} (vs 1 SQLite node)`;
  for (const name of ['pg', 'cluster'] as const) {
    const p = all[name].posts;
    rows.push(
      row(g(`posts, ${LABEL[name]}`), 'posts/s (2xx)', '/s', p.postsPerSec, base.posts.postsPerSec, name === 'pg' ? { kind: 'ratioMin', value: 0.5 } : undefined),
      row(g(`posts, ${LABEL[name]}`), 'latency p50', 'ms', p.p50, base.posts.p50),
      row(g(`posts, ${LABEL[name]}`), 'PostgreSQL transactions/post', 'count', p.xactsPerPost, null),
      row(g(`posts, ${LABEL[name]}`), 'non-2xx + errors', 'count', p.non2xx + p.errors, base.posts.non2xx + base.posts.errors, { kind: 'zero' }),
    );
  }
  for (const n of readers) {
    const b = base.fanout[n];
    const own = g(`fan-out ${n.toLocaleString('en-US')}, ${LABEL.sqlite}`);
    rows.push(
      row(own, 'latency p99', 'ms', b.p99, null),
      row(own, 'lost deliveries', 'count', b.lost, null, { kind: 'zero' }),
      row(own, 'duplicates', 'count', b.duplicates, null, { kind: 'zero' }),
      row(own, 'readers dropped, back by catch-up', 'count', b.reconnects, null),
    );
    for (const name of ['pg', 'cluster'] as const) {
      const f = all[name].fanout[n];
      const group = g(`fan-out ${n.toLocaleString('en-US')}, ${LABEL[name]}`);
      rows.push(
        row(group, 'latency p99', 'ms', f.p99, b.p99, name === 'cluster' && n >= 3000 ? { kind: 'ratioMax', value: 1.5 } : undefined),
        row(group, 'post to 1st receipt p50', 'ms', f.firstP50, b.firstP50),
        row(group, 'spread p99 (after 1st receipt)', 'ms', f.spreadP99, b.spreadP99),
        row(group, 'lost deliveries', 'count', f.lost, b.lost, { kind: 'zero' }),
        row(group, 'duplicates', 'count', f.duplicates, b.duplicates, { kind: 'zero' }),
        row(group, 'readers dropped, back by catch-up', 'count', f.reconnects, b.reconnects),
      );
    }
  }
  return rows;
}
