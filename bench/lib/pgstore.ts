// Owns the PostgreSQL store of a bench run (--store=postgres): one throw-away database on BENCH_PG_URL's
// server, emptied before every Yilun start (each measurement starts fresh, as with SQLite), dropped at the end.
import crypto from 'node:crypto';
import pg from 'pg';

let target: { admin: string; url: string; name: string } | undefined;
const secret = crypto.randomBytes(33).toString('base64');

async function exec(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function usePostgres(admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<void> {
  const name = `yilun_bench_${process.pid}`;
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await exec(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await exec(admin, `CREATE DATABASE ${name}`);
  target = { admin, url: url.toString(), name };
}

/** The env that points a Yilun node at an emptied bench database; {} when the run uses SQLite. */
export async function pgStoreEnv(): Promise<Record<string, string>> {
  if (!target) return {};
  await exec(target.url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  return { DATABASE_URL: target.url, SESSION_SECRET: secret, IP_HASH_KEY: secret };
}

export async function dropPostgres(): Promise<void> {
  if (!target) return;
  await exec(target.admin, `DROP DATABASE IF EXISTS ${target.name} WITH (FORCE)`).catch(() => undefined);
  target = undefined;
}
