// Owns starting Yilun: the only file that reads process.env, opens the database and calls listen().
import fs from 'node:fs';
import path from 'node:path';
import { createApp, type App, type AppDeps } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { findPreviousTraces, openStore } from './db/bootstrap';
import { setBusyTimeout } from './db/open';
import { acquireServerLock, type ServerLock } from './db/server-lock';
import { explainStartupError } from './db/startup';
import { createLogger, type Logger } from './log';
import { createPool } from './db/postgres/pg.pool';
import { explainPgStartupError, migratePg, withStartupLock } from './db/postgres/pg.migrate';
import { createPgStore } from './db/postgres/pg.store';
import { readMigrations } from './db/migrate';
import type { Store } from './db/store';
import { paths } from './paths';
import { importContent } from './articles/articles.service';
import { ensureAdmin } from './moderation/auth.service';
import { loadSecrets, type Secrets } from './security/secrets';
import { ensureDefaultSite } from './embed/embed.sites';

const LISTEN_BACKLOG = 4096;
/**
 * While serving, a statement waits at most this long (blocking the event loop) for a lock another
 * process holds; writes then retry on timers for up to DB_LOCK_TIMEOUT_MS (db/write-batch.ts) and reads
 * answer 503 storage_busy. WAL readers normally never wait at all.
 */
const SERVING_BUSY_TIMEOUT_MS = 5;
/**
 * On shutdown, idle kept-alive connections stay open this long for a request already on the wire (it is
 * answered with Connection: close). Closing them at once resets such requests: measured 2-4 resets out of
 * 6 busy keep-alive clients without it, none with it (tests/faults/shutdown.fault.ts).
 */
const SHUTDOWN_IDLE_LINGER_MS = 150;
/** How often the open database file is compared with its path (deleted or replaced underneath us). */
const FILE_CHECK_INTERVAL_MS = 1000;

let lock: ServerLock | undefined;

/** Content import, event pruning, the app and the admin account: start-up chores run before serving. */
async function prepare(config: Readonly<Config>, store: Store, secrets: Secrets, log: Logger, applied: string[], poolStats?: AppDeps['poolStats']): Promise<App> {
  if (applied.length) log.info('migrations applied', { applied });
  const added = await importContent(store, config.contentDir, Date.now());
  if (added.length) log.info('articles imported', { slugs: added.map((a) => a.slug) });
  await store.comments.pruneEvents(Date.now() - 7 * 24 * 3_600_000);

  const app = createApp({ config, store, log, secrets, poolStats });
  if (config.adminUser && config.adminPassword) {
    await ensureAdmin(app.deps, config.adminUser, config.adminPassword);
    log.info('admin account ready', { username: config.adminUser });
  }
  const site = await ensureDefaultSite(store, config.embedOrigins, Date.now());
  if (site) log.info('embedding site created from EMBED_ORIGINS', { origins: site.origins });
  return app;
}

/**
 * PostgreSQL (DATABASE_URL): migrations, content import and admin bootstrap run under one advisory lock,
 * so nodes starting together take turns. Secrets come from the environment only (config.ts insists).
 */
async function openPostgres(config: Readonly<Config>, log: Logger): Promise<{ app: App; store: Store }> {
  const pool = createPool(config.databaseUrl!, { max: config.databasePoolMax });
  const store = createPgStore(pool);
  try {
    const secrets = { sessionSecret: config.sessionSecret!, ipHashKey: config.ipHashKey! };
    const app = await withStartupLock(pool, async () => prepare(config, store, secrets, log, await migratePg(pool, readMigrations(paths.pgMigrations())), poolStats(pool)));
    return { app, store };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/** The pool's connections for GET /metrics (yilun_db_pool_connections). */
const poolStats = (pool: { totalCount: number; idleCount: number; waitingCount: number }) => () => ({
  inUse: pool.totalCount - pool.idleCount,
  total: pool.totalCount,
  waiting: pool.waitingCount,
});

async function main(config: Readonly<Config>): Promise<void> {
  const log = createLogger(config.logLevel);
  let app: App;
  let store: Store;
  if (config.databaseUrl) {
    ({ app, store } = await openPostgres(config, log));
  } else {
    let traces: string[] | undefined;
    if (config.dbPath !== ':memory:') {
      // Traces first (our own lock file must not count), then the lock, before anything is created or
      // migrated: of two servers starting at once on an empty directory, the second is refused cleanly.
      traces = findPreviousTraces(config);
      fs.mkdirSync(path.dirname(config.dbPath), { recursive: true });
      lock = acquireServerLock(config.dbPath);
    }
    // Until we serve, waiting for a lock held elsewhere blocks nobody: wait as long as a write would.
    const opened = openStore(config, {
      traces,
      init: config.init,
      busyTimeoutMs: config.dbLockTimeoutMs,
      lockTimeoutMs: config.dbLockTimeoutMs,
      watchIntervalMs: FILE_CHECK_INTERVAL_MS,
      log,
    });
    store = opened.store;
    const secrets = loadSecrets(config.dataDir, { sessionSecret: config.sessionSecret, ipHashKey: config.ipHashKey });
    app = await prepare(config, store, secrets, log, opened.applied);
    setBusyTimeout(opened.db, SERVING_BUSY_TIMEOUT_MS);
  }

  // Node's default accept backlog (511) overflows when thousands of readers reconnect at once after a
  // restart; dropped SYNs are retried by the kernel only after 1, 3, 7, 15 s. The kernel caps it at somaxconn.
  app.httpServer.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
    const addr = app.httpServer.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info('listening', { url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`, port, db: config.databaseUrl ? 'postgres' : config.dbPath });
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    log.info('shutting down', { signal });
    try {
      await app.close({ idleLingerMs: SHUTDOWN_IDLE_LINGER_MS });
      // Answers every queued write, then checkpoints and closes (a failed checkpoint is logged there).
      await store.close();
    } catch (err) {
      log.error('shutdown failed; committed data is safe in the database and its WAL', { err });
    }
    lock?.release();
    log.info('stopped', { drainMs: Date.now() - started });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

let config: Readonly<Config>;
try {
  const fromEnv = loadConfig(process.env);
  config = Object.freeze({ ...fromEnv, init: fromEnv.init || process.argv.slice(2).includes('--init') });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`Yilun cannot start:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  throw err;
}

main(config).catch((err) => {
  lock?.release();
  const known = config.databaseUrl ? explainPgStartupError(err, config.databaseUrl) : explainStartupError(err, config.dbPath);
  process.stderr.write(known ? `Yilun cannot start: ${known}\n` : `Yilun failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
