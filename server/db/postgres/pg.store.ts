// Owns assembling the PostgreSQL Store: the repos over one pool, health, the job lease, and turning
// PostgreSQL's own errors into the storage error codes the SQLite store answers with.
import crypto from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../../errors';
import { msg } from '../../i18n/messages';
import type { Store, StoreHealth } from '../store';
import { createPgArticlesRepo, createPgAuthorsRepo, createPgModeratorsRepo } from './pg.accounts';
import { createPgCommentsRepo } from './pg.comments';
import { createPgEmbedRepo } from './pg.embed';
import { createPgModerationRepo } from './pg.moderation';
import { runner } from './pg.pool';
import { createPgTransferRepo } from './pg.transfer';
import { createPgNotifyRepo } from './pg.notify';

/** Node errors that mean the database cannot be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/**
 * PostgreSQL trouble in the environment answers 503 with Retry-After, as SQLite's does (errors.ts): no
 * connection, a server shutting down or out of connections, a full disk, a lock timeout. Other errors
 * (a bug, a constraint) pass through unchanged.
 */
export function pgStorageError(err: unknown): AppError | undefined {
  // Not instanceof Error: errors from node's own modules may come from another realm (jest's vm).
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  const message = String((err as { message?: unknown }).message ?? '');
  let kind: 'storage_busy' | 'storage_full' | 'storage_unavailable' | undefined;
  if (typeof code === 'string') {
    if (UNREACHABLE.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '3D000') kind = 'storage_unavailable';
    else if (code === '53300' || code === '55P03' || code === '57014' || code === '40P01' || code === '40001') kind = 'storage_busy';
    else if (code === '53100') kind = 'storage_full';
  } else if (/timeout exceeded when trying to connect/i.test(message)) {
    kind = 'storage_busy';
  } else if (/Connection terminated|connection error|Client has encountered a connection error/i.test(message)) {
    kind = 'storage_unavailable';
  }
  if (!kind) return undefined;
  const seconds = kind === 'storage_busy' ? 2 : 30;
  return new AppError(kind, 503, msg(kind, { seconds }), { retryAfter: seconds }, { 'Retry-After': String(seconds) });
}

/** Every method of a repo with its PostgreSQL failures mapped (the original is kept as the cause for logs). */
function mapped<T extends object>(repo: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(repo)) {
    out[name] = (...args: unknown[]) =>
      (fn as (...a: unknown[]) => Promise<unknown>)(...args).catch((err: unknown) => {
        const e = pgStorageError(err);
        if (e) (e as Error & { cause?: unknown }).cause = err;
        throw e ?? err;
      });
  }
  return out as T;
}

export function createPgStore(pool: pg.Pool): Store {
  const q = runner(pool);
  // exportRows is an async iterator, not a promise: it keeps its own errors.
  const { exportRows, ...transfer } = createPgTransferRepo(pool, q);
  const holder = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  const health = async (): Promise<StoreHealth> => {
    try {
      await pool.query('SELECT 1');
      return { ok: true };
    } catch (err) {
      const e = pgStorageError(err);
      return { ok: false, code: e?.code === 'storage_busy' ? 'storage_busy' : 'storage_unavailable', problem: (err as Error).message };
    }
  };
  return {
    articles: mapped(createPgArticlesRepo(pool, q)),
    comments: mapped(createPgCommentsRepo(pool, q)),
    authors: mapped(createPgAuthorsRepo(q)),
    moderation: mapped(createPgModerationRepo(pool, q)),
    moderators: mapped(createPgModeratorsRepo(pool, q)),
    transfer: { ...mapped(transfer), exportRows },
    notify: mapped(createPgNotifyRepo(pool, q)),
    embed: mapped(createPgEmbedRepo(pool, q)),
    health,
    // The database's clock decides, so nodes with skewed clocks still agree on who holds the lease.
    tryLease: async (name, ttlMs) =>
      (
        await q(`INSERT INTO job_leases AS l (name, holder, expires_at)
            VALUES ($1, $2, (extract(epoch from clock_timestamp()) * 1000)::bigint + $3)
          ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE l.holder = EXCLUDED.holder OR l.expires_at <= (extract(epoch from clock_timestamp()) * 1000)::bigint
          RETURNING holder`, [name, holder, ttlMs])
      ).length === 1,
    close: async () => {
      await pool.end();
    },
  };
}
