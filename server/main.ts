// Owns starting Yilun: the only file that reads process.env, opens the database and calls listen().
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { closeDb } from './db/open';
import { openStore } from './db/bootstrap';
import { createLogger } from './log';
import { importContent } from './articles/articles.service';
import { ensureAdmin } from './moderation/auth.service';
import { loadSecrets } from './security/secrets';

const LISTEN_BACKLOG = 4096;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Yilun cannot start:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const { db, store, applied } = openStore(config);
  if (applied.length) log.info('migrations applied', { applied });
  const secrets = loadSecrets(config.dataDir, { sessionSecret: config.sessionSecret, ipHashKey: config.ipHashKey });
  const added = await importContent(store, config.contentDir, Date.now());
  if (added.length) log.info('articles imported', { slugs: added.map((a) => a.slug) });
  await store.comments.pruneEvents(Date.now() - 7 * 24 * 3_600_000);

  const app = createApp({ config, store, log, secrets });
  if (config.adminUser && config.adminPassword) {
    await ensureAdmin(app.deps, config.adminUser, config.adminPassword);
    log.info('admin account ready', { username: config.adminUser });
  }

  // Node's default accept backlog (511) overflows when thousands of readers reconnect at once after a
  // restart; dropped SYNs are retried by the kernel only after 1, 3, 7, 15 s. The kernel caps it at somaxconn.
  app.httpServer.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
    const addr = app.httpServer.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info('listening', { url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`, db: config.dbPath });
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await app.close();
    closeDb(db);
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Yilun failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
