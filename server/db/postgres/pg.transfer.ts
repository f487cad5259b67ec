// Owns the PostgreSQL side of imports, exports, restores, feeds and a reader's own comments: the same
// TransferRepo contract as server/transfer/transfer.repo.ts. Imported comments go through pg.writer's
// insert, so counts and the event log stay what posting them one by one would have made them.
import type pg from 'pg';
import type { CommentRow } from '../rows';
import { EXPORT_ORDER, EXPORT_TABLES, type ExportRow, type ExportTable, type FeedComment, type TransferRepo, importedComment } from '../transfer.types';
import { COPIED_TABLES } from './pg.copy';
import { transaction, type Q } from './pg.pool';
import * as writer from './pg.writer';


const BOOLEANS = new Map(COPIED_TABLES.map((t) => [t.table, new Set(t.booleans ?? [])]));
const IDENTITY = new Set(COPIED_TABLES.filter((t) => t.identity).map((t) => t.table));
const FETCH = 500;
const cols = writer.commentColumns();
const feedCols = `${cols}, a.slug, a.title`;

/** The export format is SQLite's: booleans as 0/1, so that an export reads back into either store. */
function toExportRow(table: ExportTable, row: Record<string, unknown>): ExportRow {
  const bools = BOOLEANS.get(table);
  const out: ExportRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'boolean' || bools?.has(k) ? (v ? 1 : 0) : (v as string | number | null);
  return out;
}

export function createPgTransferRepo(pool: pg.Pool, q: Q): TransferRepo {
  return {
    importBatch: (b) =>
      transaction(pool, async (t) => {
        let articlesCreated = 0;
        let inserted = 0;
        let existing = 0;
        for (const a of b.articles) {
          const r = await t(`INSERT INTO articles (slug, title, body, created_at) VALUES ($1, $2, '', $3) ON CONFLICT (slug) DO NOTHING RETURNING id`, [
            a.slug,
            a.title,
            a.createdAt,
          ]);
          articlesCreated += r.length;
        }
        const byKey = async (key: string) => (await t<CommentRow>(`SELECT ${cols} FROM comments c WHERE c.import_key = $1`, [key]))[0];
        for (const c of b.comments) {
          if (await byKey(c.key)) {
            existing++;
            continue;
          }
          const [article] = await t<{ id: number }>(`SELECT id FROM articles WHERE slug = $1`, [c.articleSlug]);
          if (!article) throw new Error(`import: no article "${c.articleSlug}" for ${c.key}`);
          let parent = c.parentKey === null ? null : ((await byKey(c.parentKey)) ?? null);
          if (parent && parent.articleId !== article.id) parent = null;
          // Deeper than replies may go here: hang it on the deepest ancestor that still may take a reply.
          while (parent && parent.depth + 1 > b.maxDepth) parent = (await writer.getComment(t, parent.parentId!))!;
          const r = await writer.insertComment(t, importedComment(c, article.id, parent));
          await t(`UPDATE comments SET import_key = $1 WHERE id = $2`, [c.key, r.change.comment.id]);
          inserted++;
        }
        return { inserted, existing, articlesCreated };
      }),

    async *exportRows() {
      // One REPEATABLE READ transaction: every table from the same snapshot, read through a cursor in batches.
      const client = await pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        for (const table of EXPORT_TABLES) {
          await client.query(`DECLARE export_rows NO SCROLL CURSOR FOR SELECT * FROM ${table} ORDER BY ${EXPORT_ORDER[table]}`);
          for (;;) {
            const { rows } = await client.query(`FETCH ${FETCH} FROM export_rows`);
            for (const row of rows) yield { table, row: toExportRow(table, row as Record<string, unknown>) };
            if (rows.length < FETCH) break;
          }
          await client.query('CLOSE export_rows');
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    restoreRows: (rows) =>
      transaction(pool, async (t) => {
        const touched = new Set<ExportTable>();
        for (const { table, row } of rows) {
          if (!(EXPORT_TABLES as readonly string[]).includes(table)) throw new Error(`restore: unknown table ${String(table)}`);
          const names = Object.keys(row);
          if (names.some((n) => !/^[a-z_]+$/.test(n))) throw new Error(`restore: ${table} has an invalid column name`);
          const bools = BOOLEANS.get(table);
          const values = names.map((n) => (bools?.has(n) ? row[n] === 1 : row[n]));
          await t(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, values);
          touched.add(table);
        }
        for (const table of touched) {
          if (IDENTITY.has(table)) await t(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false)`);
        }
      }),

    isEmpty: async () => (await q<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM articles) AND NOT EXISTS (SELECT 1 FROM comments) AS empty`))[0].empty,

    recentPublished: async (articleId, limit) =>
      articleId === null
        ? q<FeedComment>(`SELECT ${feedCols} FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.status = 'published' ORDER BY c.id DESC LIMIT $1`, [limit])
        : q<FeedComment>(
            `SELECT ${feedCols} FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.article_id = $1 AND c.status = 'published' ORDER BY c.id DESC LIMIT $2`,
            [articleId, limit],
          ),

    feedVersion: async (articleId) =>
      articleId === null
        ? (await q<{ v: number }>(`SELECT COALESCE(SUM(seq), 0)::bigint AS v FROM articles`))[0].v
        : ((await q<{ v: number }>(`SELECT seq AS v FROM articles WHERE id = $1`, [articleId]))[0]?.v ?? 0),

    listByAuthor: (authorId, afterId, limit) =>
      q<FeedComment>(
        `SELECT ${feedCols} FROM comments c JOIN articles a ON a.id = c.article_id
          WHERE c.author_id = $1 AND c.id > $2 AND c.status <> 'deleted' ORDER BY c.id LIMIT $3`,
        [authorId, afterId, limit],
      ),
  };
}
