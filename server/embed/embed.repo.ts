// Owns the SQL for embedding sites and their page threads (SQLite).
import type { Db } from '../db/open';
import type { Article, EmbedRepo, PageThread, Site } from '../db/store';
import type { Write } from '../db/write-batch';
import { createMergeThreads } from './embed.merge.repo';

const SITE_COLUMNS = `id, name, origins, moderation_mode AS moderationMode, sso_secret AS ssoSecret,
  sso_required AS ssoRequired, login_url AS loginUrl, created_at AS createdAt`;
const ARTICLE_COLUMNS = `id, slug, title, created_at AS createdAt, comment_count AS commentCount, seq,
  moderation_mode AS moderationMode, comments_closed AS commentsClosed`;

type SiteRow = Omit<Site, 'origins' | 'ssoRequired'> & { origins: string; ssoRequired: number };
type ArticleRow = Omit<Article, 'commentsClosed'> & { commentsClosed: number };

export const toSite = (r: Omit<SiteRow, 'ssoRequired'> & { ssoRequired: number | boolean }): Site => ({
  ...r,
  origins: r.origins.split('\n').filter(Boolean),
  ssoRequired: r.ssoRequired === 1 || r.ssoRequired === true,
});
const toArticle = (r: ArticleRow | undefined): Article | undefined => (r ? { ...r, commentsClosed: r.commentsClosed === 1 } : undefined);

export function createEmbedRepo(db: Db, write: Write): EmbedRepo {
  const list = db.prepare(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY id`);
  const byId = db.prepare(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = ?`);
  const insert = db.prepare(`INSERT INTO sites (name, origins, moderation_mode, sso_secret, sso_required, login_url, created_at)
    VALUES (@name, @origins, @moderationMode, @ssoSecret, @ssoRequired, @loginUrl, @createdAt)`);
  const update = db.prepare(`UPDATE sites SET name = @name, origins = @origins, moderation_mode = @moderationMode,
    sso_secret = @ssoSecret, sso_required = @ssoRequired, login_url = @loginUrl WHERE id = @id`);
  const thread = db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles WHERE site_id = ? AND page_key = ?`);
  // A merged page's thread is the one that took its comments.
  const resolved = db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles
    WHERE id = (SELECT COALESCE(merged_into, id) FROM articles WHERE site_id = ? AND page_key = ?)`);
  const insertThread = db.prepare(`INSERT INTO articles (slug, title, body, created_at, moderation_mode, site_id, page_key, page_url)
    VALUES (@slug, @title, '', @createdAt, @moderationMode, @siteId, @pageKey, @pageUrl) ON CONFLICT DO NOTHING`);
  const drop = db.prepare(`DELETE FROM articles WHERE id = ? AND site_id IS NOT NULL AND seq = 0
    AND NOT EXISTS (SELECT 1 FROM comments WHERE article_id = articles.id)
    AND NOT EXISTS (SELECT 1 FROM article_events WHERE article_id = articles.id)`);
  const pages = db.prepare(`SELECT page_key AS pageKey, page_url AS pageUrl, slug, title, comment_count AS commentCount,
    comments_closed AS commentsClosed, created_at AS createdAt FROM articles WHERE site_id = ? AND merged_into IS NULL ORDER BY created_at DESC, id DESC LIMIT ?`);

  const mergedInto = db.prepare(`SELECT t.slug FROM articles a JOIN articles t ON t.id = a.merged_into WHERE a.slug = ?`).pluck();
  const rename = db.prepare(`UPDATE articles SET title = ? WHERE site_id = ? AND slug = ?`);
  const recent = db.prepare(`SELECT c.id, a.slug, a.title, a.page_url AS pageUrl, c.author_name AS authorName,
      substr(c.body, 1, 200) AS excerpt, c.created_at AS createdAt
    FROM comments c JOIN articles a ON a.id = c.article_id
    WHERE a.site_id = ? AND c.status = 'published' ORDER BY c.id DESC LIMIT ?`);

  const params = (s: Omit<Site, 'id' | 'createdAt'>) => ({
    name: s.name,
    origins: s.origins.join('\n'),
    moderationMode: s.moderationMode,
    ssoSecret: s.ssoSecret,
    ssoRequired: s.ssoRequired ? 1 : 0,
    loginUrl: s.loginUrl,
  });
  const getSite = (id: number) => {
    const r = byId.get(id) as SiteRow | undefined;
    return r ? toSite(r) : undefined;
  };
  const createThread = db.transaction((p: Parameters<EmbedRepo['createPageThread']>[0]) => {
    const created = insertThread.run(p).changes === 1;
    return { article: toArticle(thread.get(p.siteId, p.pageKey) as ArticleRow)!, created };
  });

  return {
    listSites: async () => (list.all() as SiteRow[]).map(toSite),
    getSite: async (id) => getSite(id),
    createSite: (s, at) => write(() => getSite(Number(insert.run({ ...params(s), createdAt: at }).lastInsertRowid))!),
    updateSite: (id, s) => write(() => (update.run({ ...params(s), id }).changes ? getSite(id) : undefined)),
    pageThread: async (siteId, pageKey) => toArticle(resolved.get(siteId, pageKey) as ArticleRow | undefined),
    createPageThread: (p) => write(() => createThread(p)),
    dropEmptyThread: (articleId) => write(() => drop.run(articleId).changes === 1),
    counts: async (siteId, pageKeys) => {
      const keys = [...new Set(pageKeys)].slice(0, 100);
      if (!keys.length) return [];
      const sql = `SELECT p.page_key AS pageKey, t.slug, t.comment_count AS commentCount
        FROM articles p JOIN articles t ON t.id = COALESCE(p.merged_into, p.id)
        WHERE p.site_id = ? AND p.page_key IN (${keys.map(() => '?').join(', ')}) ORDER BY p.page_key`;
      return db.prepare(sql).all(siteId, ...keys) as never;
    },
    renameThread: (siteId, slug, title) => write(() => rename.run(title, siteId, slug).changes === 1),
    recent: async (siteId, limit) => recent.all(siteId, limit) as never,
    mergeThreads: createMergeThreads(db, write),
    mergedInto: async (slug) => mergedInto.get(slug) as string | undefined,
    listPages: async (siteId, limit) =>
      (pages.all(siteId, limit) as (Omit<PageThread, 'commentsClosed'> & { commentsClosed: number })[]).map((r) => ({ ...r, commentsClosed: r.commentsClosed === 1 })),
  };
}
