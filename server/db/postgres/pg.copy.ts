// Owns copying a SQLite database into an empty PostgreSQL one (npm run db:copy): every table with its ids,
// read in one SQLite read transaction (a consistent snapshot even while a server writes), written in one
// PostgreSQL transaction, identity sequences moved past the copied ids, row counts verified at the end.
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { schemaVersion } from '../migrate';
import { transaction } from './pg.pool';

/** Parents before children (foreign keys); comments by id, so a parent always precedes its replies. */
export const COPIED_TABLES: { table: string; order: string; booleans?: string[]; identity?: boolean }[] = [
  { table: 'sites', order: 'id', booleans: ['sso_required'], identity: true },
  { table: 'articles', order: 'id', booleans: ['comments_closed'], identity: true },
  { table: 'authors', order: 'id', identity: true },
  { table: 'moderators', order: 'id', booleans: ['disabled'], identity: true },
  { table: 'comments', order: 'id', identity: true },
  { table: 'reactions', order: 'comment_id, author_id' },
  { table: 'comment_reactions', order: 'comment_id, author_id, kind' },
  { table: 'article_events', order: 'article_id, seq' },
  { table: 'moderator_sessions', order: 'token_hash' },
  { table: 'login_failures', order: 'key' },
  { table: 'login_failure_log', order: 'rowid' },
  { table: 'site_settings', order: 'key' },
  { table: 'words', order: 'id', identity: true },
  { table: 'bans', order: 'id', identity: true },
  { table: 'reports', order: 'comment_id, author_id' },
  { table: 'audit_log', order: 'id', identity: true },
  { table: 'comment_revisions', order: 'id', identity: true },
  { table: 'notify_outbox', order: 'id', identity: true },
  { table: 'reply_inbox', order: 'author_id, comment_id' },
  { table: 'mail_subscriptions', order: 'id', identity: true },
  { table: 'notify_pending', order: 'recipient, comment_id, kind' },
  { table: 'notify_deliveries', order: 'id', identity: true },
  { table: 'webhooks', order: 'id', booleans: ['enabled'], identity: true },
  { table: 'moderator_alerts', order: 'moderator_id' },
  { table: 'heat_alarms', order: 'article_id' },
];

const BATCH = 500;

export class CopyError extends Error {}

export interface CopyReport {
  tables: { table: string; rows: number }[];
}

/**
 * Copies db (fully migrated) into pool's schema, which must hold the PostgreSQL schema and no rows.
 * Refuses a non-empty target; throws CopyError when a count differs after the copy.
 */
export async function copySqliteToPg(db: Database, pool: pg.Pool, expectedSqliteVersion: number, onTable?: (table: string, rows: number) => void): Promise<CopyReport> {
  const version = schemaVersion(db);
  if (version !== expectedSqliteVersion) {
    throw new CopyError(`the SQLite database is at schema version ${version}, this code at ${expectedSqliteVersion}: start Yilun once on it (same version as this copy) to migrate it first`);
  }
  for (const { table } of COPIED_TABLES) {
    const n = (await pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows[0].n;
    if (n > 0) throw new CopyError(`the PostgreSQL database is not empty (${table} has ${n} rows): db:copy only fills an empty database`);
  }
  // One read transaction: every table is read from the same snapshot, whatever a running server writes meanwhile.
  db.exec('BEGIN');
  const counts = new Map<string, number>();
  try {
    await transaction(pool, async (q) => {
      for (const spec of COPIED_TABLES) {
        const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(spec.table) as string[]);
        const bools = new Set(spec.booleans ?? []);
        const rows = db.prepare(`SELECT ${cols.join(', ')} FROM ${spec.table} ORDER BY ${spec.order}`).raw().iterate() as IterableIterator<unknown[]>;
        let batch: unknown[][] = [];
        let n = 0;
        const flush = async () => {
          if (!batch.length) return;
          const values = batch.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
          await q(`INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES ${values}`, batch.flat());
          n += batch.length;
          batch = [];
        };
        for (const row of rows) {
          batch.push(row.map((v, i) => (bools.has(cols[i]) ? v === 1 : v)));
          if (batch.length === BATCH) await flush();
        }
        await flush();
        counts.set(spec.table, n);
        if (spec.identity) await q(`SELECT setval(pg_get_serial_sequence('${spec.table}', 'id'), COALESCE((SELECT MAX(id) FROM ${spec.table}), 0) + 1, false)`);
        onTable?.(spec.table, n);
      }
    });
  } finally {
    db.exec('COMMIT');
  }
  const tables: CopyReport['tables'] = [];
  for (const { table } of COPIED_TABLES) {
    const target = (await pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows[0].n;
    if (target !== counts.get(table)) throw new CopyError(`${table}: ${counts.get(table)} rows read, ${target} in PostgreSQL`);
    tables.push({ table, rows: target });
  }
  const seqs = (await pool.query<{ bad: number }>(`SELECT COUNT(*)::int AS bad FROM articles a
    WHERE a.seq < COALESCE((SELECT MAX(seq) FROM article_events e WHERE e.article_id = a.id), 0)`)).rows[0].bad;
  if (seqs > 0) throw new CopyError(`${seqs} articles have a seq below their logged events`);
  return { tables };
}
