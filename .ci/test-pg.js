#!/usr/bin/env node
// npm run test:pg: creates a throw-away PostgreSQL database, runs the PostgreSQL tests against it with
// TEST_DATABASE_URL set, and drops it. PG_ADMIN_URL names the server (default: local, user postgres).
const { spawnSync } = require('node:child_process');
const { Client } = require('pg');

const admin = process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `yilun_test_${process.pid}_${Date.now().toString(36)}`;
const url = new URL(admin);
url.pathname = `/${name}`;

async function sql(text) {
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

(async () => {
  await sql(`CREATE DATABASE ${name}`);
  let status = 1;
  try {
    const args = ['jest', '--runInBand', 'tests/store.postgres.test.ts', 'tests/db-copy.postgres.test.ts', ...process.argv.slice(2)];
    status = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: url.toString() } }).status ?? 1;
  } finally {
    await sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  process.exit(status);
})().catch((err) => {
  process.stderr.write(`test:pg: ${err.message}\n`);
  process.exit(1);
});
