// Owns `npm run bench`: runs every scenario against Yilun and the floor in the same run, prints one
// table and writes it as JSON (bench/results/latest.json and a dated copy) so that runs can be compared.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileLimit, installCleanup, killAll, listenOverflows, raisedLimits, ROOT } from './lib/procs';
import { formatProfile, profilesIn, summarizeProfile, type ProfileSummary } from './lib/profile';
import { formatTable, type Row } from './lib/table';
import { dropPostgres, usePostgres } from './lib/pgstore';
import { createContext, type Context, type Settings } from './scenarios/context';
import { runFanout } from './scenarios/fanout';
import { runPosts } from './scenarios/posts';
import { runScale } from './scenarios/scale';
import { runStall } from './scenarios/stall';
import { runStorm } from './scenarios/storm';
import { runThread } from './scenarios/thread';
import { readEmbedManifest } from '../server/embed/embed.assets';
import { runTyping } from './scenarios/typing';

const SCENARIOS: [string, (ctx: Context) => Promise<Row[]>][] = [
  ['posts', runPosts],
  ['fanout', runFanout],
  ['thread', runThread],
  ['storm', runStorm],
  ['stall', runStall],
  ['typing', runTyping],
  // Opt-in (--only=scale): three server setups with PostgreSQL, Redis and nginx, a few minutes more.
  ['scale', runScale],
];
/** Scenarios that run only when named in --only. */
const OPT_IN = new Set(['typing', 'scale']);

const RESULTS = path.join(ROOT, 'bench', 'results');
const DEFAULT_OUT = path.join(RESULTS, 'latest.json');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

function parseArgs(argv: string[]): Settings & { out: string; store: 'sqlite' | 'postgres' } {
  const opt = (name: string) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  const has = (name: string) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const list = (name: string, fallback: number[]) => (opt(name) ? opt(name)!.split(',').map(Number) : fallback);
  const unknown = argv.filter((a) => !/^--(only|readers|storm-readers|seconds|connections|posts|sizes|profile|out|store)(=|$)/.test(a));
  if (unknown.length) throw new Error(`unknown option(s): ${unknown.join(' ')}`);
  const store = opt('store') ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, got "${store}"`);
  return {
    store,
    only: new Set(opt('only')?.split(',') ?? SCENARIOS.map(([n]) => n).filter((n) => !OPT_IN.has(n))),
    readers: list('readers', [100, 1000, 3000]),
    stormReaders: Number(opt('storm-readers') ?? 3000),
    postSeconds: Number(opt('seconds') ?? 10),
    connections: Number(opt('connections') ?? 50),
    fanoutPosts: Number(opt('posts') ?? 20),
    threadSizes: list('sizes', [1000, 10000, 100000]),
    // Profiles are large and not git-ignored under bench/results: the default is the temp dir.
    profile: has('profile') ? path.resolve(opt('profile') || path.join(os.tmpdir(), `yilun-profiles-${stamp}`)) : null,
    out: path.resolve(opt('out') ?? DEFAULT_OUT),
  };
}

/** Readers need file descriptors in the fleet process and in the server: refuse sizes the machine cannot hold. */
function fitToFileLimit(s: Settings, log: (m: string) => void): void {
  const { soft, hard } = fileLimit();
  const most = Math.max(...s.readers, s.stormReaders);
  const usable = Math.max(soft, hard) - 200;
  if (Number.isFinite(usable) && most > usable) {
    log(`open-file limit ${soft}/${hard} (soft/hard) is below ${most} readers; capping readers at ${usable}`);
    s.readers = s.readers.map((n) => Math.min(n, usable));
    s.stormReaders = Math.min(s.stormReaders, usable);
  }
}

/** The embed bundle's size as the build wrote it (scripts/build-embed.js), kept with the figures. */
function embedSizeNote(): string {
  const m = readEmbedManifest();
  return m ? `embed.js (${m.file}): ${(m.bytes / 1024).toFixed(1)} KB, ${(m.gzipBytes / 1024).toFixed(1)} KB gzipped (Socket.IO client included; aim: under 40 KB).` : 'embed.js: not built.';
}

const NOTES = [
  'Floor: bench/floor.ts, express + socket.io + better-sqlite3; one INSERT and one room broadcast per POST, no validation, moderation or identity.',
  `Both open SQLite through server/db/open.ts openDb: WAL, synchronous=${(process.env.DB_SYNCHRONOUS ?? 'FULL').toUpperCase()} (DB_SYNCHRONOUS), busy_timeout, temp_store=MEMORY.`,
  `Yilun's store: ${process.argv.includes('--store=postgres') ? 'PostgreSQL (--store=postgres, DATABASE_URL on a fresh local database per start, pool of 10)' : 'SQLite'}.`,
  `Yilun runs as dist/server/main.js with LOG_LEVEL=warn and every RATE_* raised to ${raisedLimits().RATE_POST_IP}.`,
  'Each server (and the reader fleet) is its own process, started fresh for each measurement; both get the same load in the same run.',
  'Fan-out latency: bench send time (just before the POST) to receipt at each reader, one wall clock (performance.timeOrigin + now).',
  'RSS/reader: (server RSS with N joined readers - RSS with none) / N, from /proc/<pid>/status, after the same warm-up on both.',
  'Details and options: bench/README.md.',
  embedSizeNote(),
];

async function main(): Promise<void> {
  installCleanup();
  const settings = parseArgs(process.argv.slice(2));
  const ctx = createContext(settings);
  // --store=postgres: every Yilun node runs on a fresh PostgreSQL database (BENCH_PG_URL's server); the floor stays on SQLite.
  if (settings.store === 'postgres') await usePostgres();
  fitToFileLimit(ctx, ctx.log);
  const started = new Date();
  const loadBefore = os.loadavg()[0];
  const overflowsBefore = listenOverflows();
  // A 2-core machine shared with test runs skews every figure; say so rather than hide it.
  if (loadBefore > 0.5) ctx.log(`load average is ${loadBefore.toFixed(2)} before the run: other work competes for the CPUs and disk`);
  const rows: Row[] = [];
  const failures: string[] = [];
  try {
    for (const [name, run] of SCENARIOS) {
      if (!ctx.only.has(name)) continue;
      ctx.log(`${name}...`);
      try {
        rows.push(...(await run(ctx)));
      } catch (err) {
        // One broken scenario must not lose the others' figures.
        failures.push(`${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        ctx.log(`${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
        killAll();
      }
    }
  } finally {
    killAll();
    ctx.cleanup();
    await dropPostgres();
  }

  const profiles: Record<string, ProfileSummary[]> = {};
  for (const [label, dir] of Object.entries(ctx.profiles)) profiles[label] = profilesIn(dir).map((f) => summarizeProfile(f, ROOT, 20));

  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n\n${NOTES.map((n) => `- ${n}`).join('\n')}\n`);
  if (settings.profile) {
    process.stdout.write(`\nCPU profiles (figures above carry profiler overhead) in ${path.relative(ROOT, settings.profile)}:\n`);
    for (const [label, list] of Object.entries(profiles)) for (const p of list) process.stdout.write(`\n[${label}] ${formatProfile(p)}\n`);
  }
  const overflows = listenOverflows() - overflowsBefore;
  process.stdout.write(`\nload average (1 min): ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after; listen queue overflows during the run: ${overflows}\n`);
  const failed = rows.filter((r) => r.pass === false);
  process.stdout.write(`\n${rows.length - failed.length}/${rows.length} rows within target${failed.length ? `; missed: ${failed.map((r) => `${r.group} ${r.metric}`).join('; ')}` : ''}\n`);
  for (const f of failures) process.stdout.write(`\nSCENARIO FAILED ${f}\n`);

  const result = {
    version: 1,
    startedAt: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    command: `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, platform: `${os.platform()} ${os.release()}`, fileLimit: fileLimit(), loadAverage1m: { before: loadBefore, after: os.loadavg()[0] }, listenOverflows: overflows },
    settings: { ...settings, only: [...settings.only] },
    notes: NOTES,
    rows,
    failures,
    raw: ctx.raw,
    profiles,
  };
  fs.mkdirSync(path.dirname(settings.out), { recursive: true });
  const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  fs.writeFileSync(settings.out, json);
  // The dated copy keeps earlier runs to compare with; a run sent elsewhere with --out leaves results/ alone.
  const dated = path.join(RESULTS, `run-${stamp}.json`);
  if (settings.out === DEFAULT_OUT) fs.writeFileSync(dated, json);
  process.stdout.write(`\nwrote ${path.relative(ROOT, settings.out)}${settings.out === DEFAULT_OUT ? ` and ${path.relative(ROOT, dated)}` : ''}, ${result.seconds} s\n`);
  if (failures.length) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  killAll();
  process.exit(1);
});
