// Owns the SQL of imports, exports and restores (SQLite). Imported comments go through the comment writer,
// so every kept count and the event log stay what posting them one by one would have made them.
import type { Db } from '../db/open';
import type { CommentRow } from '../db/store';
import { EXPORT_ORDER, EXPORT_TABLES, type ExportRow, type FeedComment, type ExportTable, type ImportArticle, type ImportComment, type TransferRepo, importedComment } from '../db/transfer.types';
import type { Write } from '../db/write-batch';
import { commentColumns, type CommentWriter } from '../comments/comments.writer';


export function createTransferRepo(db: Db, writer: CommentWriter, write: Write): TransferRepo {
  const articleBySlug = db.prepare(`SELECT id FROM articles WHERE slug = ?`).pluck();
  const insertArticle = db.prepare(`INSERT INTO articles (slug, title, body, created_at) VALUES (@slug, @title, '', @createdAt)`);
  const byKey = db.prepare(`SELECT ${commentColumns()} FROM comments c WHERE c.import_key = ?`);
  const setKey = db.prepare(`UPDATE comments SET import_key = ? WHERE id = ?`);
  const empty = db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM articles) AND NOT EXISTS (SELECT 1 FROM comments)`).pluck();
  const columns = new Map<string, Set<string>>(
    EXPORT_TABLES.map((t) => [t, new Set((db.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name))]),
  );
  const feedCols = `${commentColumns()}, a.slug, a.title`;
  const recentAll = db.prepare(`SELECT ${feedCols} FROM comments c JOIN articles a ON a.id = c.article_id
    WHERE c.status = 'published' ORDER BY c.id DESC LIMIT ?`);
  const recentOf = db.prepare(`SELECT ${feedCols} FROM comments c JOIN articles a ON a.id = c.article_id
    WHERE c.article_id = ? AND c.status = 'published' ORDER BY c.id DESC LIMIT ?`);
  const seqOf = db.prepare(`SELECT seq FROM articles WHERE id = ?`).pluck();
  const seqSum = db.prepare(`SELECT COALESCE(SUM(seq), 0) FROM articles`).pluck();
  const byAuthor = db.prepare(`SELECT ${feedCols} FROM comments c JOIN articles a ON a.id = c.article_id
    WHERE c.author_id = ? AND c.id > ? AND c.status <> 'deleted' ORDER BY c.id LIMIT ?`);
  const inserts = new Map<string, ReturnType<Db['prepare']>>();

  const importBatch = db.transaction((articles: ImportArticle[], comments: ImportComment[], maxDepth: number) => {
    let articlesCreated = 0;
    let inserted = 0;
    let existing = 0;
    for (const a of articles) {
      if (articleBySlug.get(a.slug) !== undefined) continue;
      insertArticle.run(a);
      articlesCreated++;
    }
    for (const c of comments) {
      if (byKey.get(c.key)) {
        existing++;
        continue;
      }
      const articleId = articleBySlug.get(c.articleSlug) as number | undefined;
      if (articleId === undefined) throw new Error(`import: no article "${c.articleSlug}" for ${c.key}`);
      let parent = c.parentKey === null ? null : ((byKey.get(c.parentKey) as CommentRow | undefined) ?? null);
      if (parent && parent.articleId !== articleId) parent = null;
      // Deeper than replies may go here: hang it on the deepest ancestor that still may take a reply.
      while (parent && parent.depth + 1 > maxDepth) parent = writer.get(parent.parentId!)!;
      const r = writer.insert(importedComment(c, articleId, parent));
      setKey.run(c.key, r.change.comment.id);
      inserted++;
    }
    return { inserted, existing, articlesCreated };
  });

  const restore = db.transaction((rows: { table: ExportTable; row: ExportRow }[]) => {
    for (const { table, row } of rows) {
      const known = columns.get(table);
      if (!known) throw new Error(`restore: unknown table ${String(table)}`);
      const names = Object.keys(row);
      const unknown = names.find((n) => !known.has(n));
      if (unknown) throw new Error(`restore: ${table} has no column ${unknown}`);
      const sig = `${table}(${names.join(',')})`;
      let stmt = inserts.get(sig);
      if (!stmt) {
        stmt = db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`);
        inserts.set(sig, stmt);
      }
      stmt.run(row);
    }
  });

  async function* exportRows(): AsyncIterable<{ table: ExportTable; row: ExportRow }> {
    // One read transaction: every table from the same snapshot, while the server goes on writing (WAL).
    db.exec('BEGIN');
    try {
      for (const table of EXPORT_TABLES) {
        for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY ${EXPORT_ORDER[table]}`).iterate()) yield { table, row: row as ExportRow };
      }
    } finally {
      db.exec('COMMIT');
    }
  }

  return {
    importBatch: (b) =>
      write(() => importBatch(b.articles, b.comments, b.maxDepth)).catch((err: unknown) => {
        writer.networkTimes.clear();
        throw err;
      }),
    exportRows,
    // Comment rows written around the writer: the networks' times are read from the file again.
    restoreRows: (rows) => write(() => restore(rows)).finally(() => writer.networkTimes.clear()),
    isEmpty: async () => empty.get() === 1,
    recentPublished: async (articleId, limit) =>
      (articleId === null ? recentAll.all(limit) : recentOf.all(articleId, limit)) as FeedComment[],
    feedVersion: async (articleId) => ((articleId === null ? seqSum.get() : seqOf.get(articleId)) as number | undefined) ?? 0,
    listByAuthor: async (authorId, afterId, limit) => byAuthor.all(authorId, afterId, limit) as FeedComment[],
  };
}
