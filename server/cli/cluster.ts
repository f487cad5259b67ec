// npm run cluster -- N: a try-out of N nodes (default 3) on consecutive ports behind nginx, on the local
// PostgreSQL (database yilun_cluster, kept between runs) and Redis (key prefix yilun-cluster). Ctrl-C stops
// everything. PG_ADMIN_URL, REDIS_URL, CLUSTER_PORT (nginx, default 8080) and CLUSTER_BASE_PORT (first
// node, default 3001) change where things are.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ensureDatabase, ROOT, startNginx, startNode, stopChild, waitFor } from './cluster.lib';

async function run(): Promise<void> {
  const n = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error('usage: npm run cluster -- N   (N from 1 to 16)');
  const publicPort = Number(process.env.CLUSTER_PORT ?? 8080);
  const basePort = Number(process.env.CLUSTER_BASE_PORT ?? 3001);
  const adminUrl = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dir = path.join(ROOT, 'data', 'cluster');
  fs.mkdirSync(dir, { recursive: true });

  // Every node must share the secrets: made once, kept with the try-out's files.
  const secretsFile = path.join(dir, 'secrets.json');
  if (!fs.existsSync(secretsFile)) {
    const s = { SESSION_SECRET: randomBytes(32).toString('hex'), IP_HASH_KEY: randomBytes(32).toString('hex'), ADMIN_PASSWORD: randomBytes(9).toString('base64url') };
    fs.writeFileSync(secretsFile, JSON.stringify(s, null, 2), { mode: 0o600 });
  }
  const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as Record<string, string>;
  const databaseUrl = await ensureDatabase(adminUrl, 'yilun_cluster');
  const ports = Array.from({ length: n }, (_, i) => basePort + i);
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: 'yilun-cluster',
    TRUST_PROXY: 'loopback',
    SESSION_SECRET: secrets.SESSION_SECRET,
    IP_HASH_KEY: secrets.IP_HASH_KEY,
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD: secrets.ADMIN_PASSWORD,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(process.env.METRICS_TOKEN ? { METRICS_TOKEN: process.env.METRICS_TOKEN } : {}),
  };

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    await Promise.all(children.map((c) => stopChild(c)));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  // One node first (migrations, content, admin), then the others together.
  for (const [i, port] of ports.entries()) {
    const child = startNode({ index: i, port, dataDir: path.join(dir, `node${i + 1}`), env });
    children.push(child);
    child.once('exit', (code, sig) => !stopping && process.stdout.write(`node ${i + 1} (port ${port}) exited: ${code ?? sig}\n`));
    if (i === 0) await waitFor(`http://127.0.0.1:${port}/readyz`, 60_000, child);
  }
  await Promise.all(ports.map((p, i) => waitFor(`http://127.0.0.1:${p}/readyz`, 60_000, children[i])));
  const nginx = startNginx(path.join(dir, 'nginx'), publicPort, ports);
  children.push(nginx);
  await waitFor(`http://127.0.0.1:${publicPort}/readyz`, 10_000, nginx);
  process.stdout.write(
    `\n${n} node(s) on ports ${ports.join(', ')} behind nginx: http://127.0.0.1:${publicPort}/\n` +
      `moderation: http://127.0.0.1:${publicPort}/admin  (admin / ${secrets.ADMIN_PASSWORD}, kept in data/cluster/secrets.json)\n` +
      `PostgreSQL database yilun_cluster, Redis prefix yilun-cluster. Ctrl-C stops everything.\n`,
  );
}

run().catch((err: Error) => {
  process.stderr.write(`cluster: ${err.message}\n`);
  process.exit(1);
});
