// Owns the SQL for accountless authors (SQLite). Authors are created with their first comment (comments.writer.ts).
import type { Db } from '../db/open';
import type { Author, AuthorsRepo } from '../db/store';
import type { Write } from '../db/write-batch';

const COLUMNS = `id, token_hash AS tokenHash, created_at AS createdAt, published_count AS publishedCount, last_ip_hash AS lastIpHash`;

export function createAuthorsRepo(db: Db, write: Write): AuthorsRepo {
  const byToken = db.prepare(`SELECT ${COLUMNS} FROM authors WHERE token_hash = ?`);
  const byId = db.prepare(`SELECT ${COLUMNS} FROM authors WHERE id = ?`);
  const ensure = db.prepare(`INSERT INTO authors (token_hash, created_at, last_ip_hash) VALUES (?, ?, ?)
    ON CONFLICT (token_hash) DO UPDATE SET last_ip_hash = COALESCE(excluded.last_ip_hash, last_ip_hash) RETURNING id`).pluck();
  // Bounded batches through the partial index authors_unpublished; each NOT EXISTS walks an author index.
  const pruneIdle = db.prepare(`DELETE FROM authors WHERE id IN (
      SELECT a.id FROM authors a WHERE a.published_count = 0 AND a.created_at < @olderThan
        AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.author_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM reactions r WHERE r.author_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM comment_reactions x WHERE x.author_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM reports p WHERE p.author_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM bans b WHERE b.author_id = a.id)
      ORDER BY a.created_at LIMIT @limit)`);
  return {
    pruneIdle: (olderThan, limit) => write(() => pruneIdle.run({ olderThan, limit }).changes),
    ensure: (h, at, ip) => write(() => ensure.get(h, at, ip) as number),
    getByTokenHash: async (h) => byToken.get(h) as Author | undefined,
    get: async (id) => byId.get(id) as Author | undefined,
  };
}
