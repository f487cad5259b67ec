// Test helpers for imports and exports: a fresh migrated store, and a check that every kept count is true.
import path from 'node:path';
import { openDb, type Db } from '../../server/db/open';
import { migrate, readMigrations } from '../../server/db/migrate';
import { createSqliteStore } from '../../server/db/sqlite.store';
import type { Store } from '../../server/db/store';
import { paths } from '../../server/paths';
import { createIpHasher } from '../../server/security/ip';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const fixture = (name: string) => path.join(FIXTURES, name);
export const testIpHash = createIpHasher('k'.repeat(32));

export function freshStore(file = ':memory:'): { db: Db; store: Store } {
  const db = openDb(file);
  migrate(db, readMigrations(paths.migrations()));
  return { db, store: createSqliteStore(db) };
}

/** Every kept count recomputed from the rows; returns the rows that disagree (empty when all are true). */
export function countProblems(db: Db): unknown[] {
  return [
    ...db
      .prepare(`SELECT 'comment_count' AS what, a.id, a.comment_count AS kept,
          (SELECT COUNT(*) FROM comments c WHERE c.article_id = a.id AND c.status = 'published') AS real FROM articles a`)
      .all(),
    ...db
      .prepare(`SELECT 'seq' AS what, a.id, a.seq AS kept, (SELECT COALESCE(MAX(seq), 0) FROM article_events e WHERE e.article_id = a.id) AS real,
          (SELECT COUNT(*) FROM article_events e WHERE e.article_id = a.id) AS events FROM articles a`)
      .all()
      .filter((r) => (r as { real: number; events: number }).events !== (r as { real: number }).real),
    ...db
      .prepare(`WITH RECURSIVE d(anc, id) AS (
          SELECT parent_id, id FROM comments WHERE parent_id IS NOT NULL
          UNION ALL SELECT c.parent_id, d.id FROM d JOIN comments c ON c.id = d.anc WHERE c.parent_id IS NOT NULL)
        SELECT 'reply_count' AS what, c.id, c.reply_count AS kept,
          (SELECT COUNT(*) FROM d JOIN comments x ON x.id = d.id AND x.status = 'published' WHERE d.anc = c.id) AS real FROM comments c`)
      .all(),
    ...db
      .prepare(`SELECT 'published_count' AS what, au.id, au.published_count AS kept,
          (SELECT COUNT(*) FROM comments c WHERE c.author_id = au.id AND c.status = 'published') AS real FROM authors au`)
      .all(),
  ].filter((r) => (r as { kept: number; real: number }).kept !== (r as { real: number }).real);
}

/** The whole content of the tables an import or restore writes, for "nothing changed" checks. */
export function snapshot(db: Db): Record<string, unknown[]> {
  const tables = ['articles', 'authors', 'comments', 'article_events', 'reactions'];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
}
