// Owns the PostgreSQL repo for embedding sites and their page threads.
import type { Article, EmbedRepo, PageCount, PageThread, RecentComment, Site } from '../store';
import type pg from 'pg';
import type { Q } from './pg.pool';
import { createPgMergeThreads } from './pg.merge';

const SITE_COLUMNS = `id, name, origins, moderation_mode AS "moderationMode", sso_secret AS "ssoSecret",
  sso_required AS "ssoRequired", login_url AS "loginUrl", created_at AS "createdAt"`;
const ARTICLE_COLUMNS = `id, slug, title, created_at AS "createdAt", comment_count AS "commentCount", seq,
  moderation_mode AS "moderationMode", comments_closed AS "commentsClosed"`;

type SiteRow = Omit<Site, 'origins'> & { origins: string };
const toSite = (r: SiteRow): Site => ({ ...r, origins: r.origins.split('\n').filter(Boolean) });
const first = async <R>(p: Promise<R[]>) => (await p)[0];

export function createPgEmbedRepo(pool: pg.Pool, q: Q): EmbedRepo {
  const getSite = async (id: number) => {
    const r = await first(q<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = $1`, [id]));
    return r ? toSite(r) : undefined;
  };
  const params = (s: Omit<Site, 'id' | 'createdAt'>) => [s.name, s.origins.join('\n'), s.moderationMode, s.ssoSecret, s.ssoRequired, s.loginUrl];
  const thread = (siteId: number, pageKey: string) =>
    first(q<Article>(`SELECT ${ARTICLE_COLUMNS} FROM articles WHERE site_id = $1 AND page_key = $2`, [siteId, pageKey]));
  return {
    listSites: async () => (await q<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY id`)).map(toSite),
    getSite,
    createSite: async (s, at) => {
      const r = await first(q<SiteRow>(`INSERT INTO sites (name, origins, moderation_mode, sso_secret, sso_required, login_url, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SITE_COLUMNS}`, [...params(s), at]));
      return toSite(r!);
    },
    updateSite: async (id, s) => {
      const r = await first(q<SiteRow>(`UPDATE sites SET name = $1, origins = $2, moderation_mode = $3, sso_secret = $4, sso_required = $5,
        login_url = $6 WHERE id = $7 RETURNING ${SITE_COLUMNS}`, [...params(s), id]));
      return r ? toSite(r) : undefined;
    },
    // A merged page's thread is the one that took its comments.
    pageThread: (siteId, pageKey) =>
      first(q<Article>(`SELECT ${ARTICLE_COLUMNS} FROM articles
        WHERE id = (SELECT COALESCE(merged_into, id) FROM articles WHERE site_id = $1 AND page_key = $2)`, [siteId, pageKey])),
    createPageThread: async (p) => {
      const made = await first(q<Article>(`INSERT INTO articles (slug, title, body, created_at, moderation_mode, site_id, page_key, page_url)
        VALUES ($1, $2, '', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${ARTICLE_COLUMNS}`,
        [p.slug, p.title, p.createdAt, p.moderationMode, p.siteId, p.pageKey, p.pageUrl]));
      return made ? { article: made, created: true } : { article: (await thread(p.siteId, p.pageKey))!, created: false };
    },
    dropEmptyThread: async (articleId) =>
      (await q(`DELETE FROM articles a WHERE a.id = $1 AND a.site_id IS NOT NULL AND a.seq = 0
        AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM article_events e WHERE e.article_id = a.id) RETURNING a.id`, [articleId])).length === 1,
    counts: async (siteId, pageKeys) => {
      const keys = [...new Set(pageKeys)].slice(0, 100);
      if (!keys.length) return [];
      return q<PageCount>(`SELECT p.page_key AS "pageKey", t.slug, t.comment_count AS "commentCount"
        FROM articles p JOIN articles t ON t.id = COALESCE(p.merged_into, p.id)
        WHERE p.site_id = $1 AND p.page_key = ANY($2::text[]) ORDER BY p.page_key`, [siteId, keys]);
    },
    renameThread: async (siteId, slug, title) =>
      (await q(`UPDATE articles SET title = $1 WHERE site_id = $2 AND slug = $3 RETURNING id`, [title, siteId, slug])).length === 1,
    recent: (siteId, limit) =>
      q<RecentComment>(`SELECT c.id, a.slug, a.title, a.page_url AS "pageUrl", c.author_name AS "authorName",
          substring(c.body from 1 for 200) AS excerpt, c.created_at AS "createdAt"
        FROM comments c JOIN articles a ON a.id = c.article_id
        WHERE a.site_id = $1 AND c.status = 'published' ORDER BY c.id DESC LIMIT $2`, [siteId, limit]),
    mergeThreads: createPgMergeThreads(pool),
    mergedInto: async (slug) =>
      (await first(q<{ slug: string }>(`SELECT t.slug FROM articles a JOIN articles t ON t.id = a.merged_into WHERE a.slug = $1`, [slug])))?.slug,
    listPages: (siteId, limit) =>
      q<PageThread>(`SELECT page_key AS "pageKey", page_url AS "pageUrl", slug, title, comment_count AS "commentCount",
        comments_closed AS "commentsClosed", created_at AS "createdAt" FROM articles WHERE site_id = $1 AND merged_into IS NULL
        ORDER BY created_at DESC, id DESC LIMIT $2`, [siteId, limit]),
  };
}
