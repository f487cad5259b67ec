// Owns the SQL for articles (SQLite).
import type { Db } from '../db/open';
import type { Article, ArticlesRepo, ArticleSettings } from '../db/store';
import type { Write } from '../db/write-batch';

// The body (10 KB and more) is not among the columns: every post, join and comment page looks the
// article up and none needs its text; only the page asks for it (bodyOf).
const COLUMNS = `id, slug, title, created_at AS createdAt, comment_count AS commentCount, seq,
  moderation_mode AS moderationMode, comments_closed AS commentsClosed, byline, published_at AS publishedAt,
  author_account AS authorAccount, slow_mode_seconds AS slowModeSeconds`;

type ArticleRow = Omit<Article, 'commentsClosed'> & { commentsClosed: number };

const toArticle = (r: ArticleRow | undefined): Article | undefined => (r ? { ...r, commentsClosed: r.commentsClosed === 1 } : undefined);

export function createArticlesRepo(db: Db, write: Write): ArticlesRepo {
  const bodyOf = db.prepare(`SELECT body FROM articles WHERE id = ?`).pluck();
  const list = db.prepare(`SELECT ${COLUMNS} FROM articles ORDER BY created_at DESC, id DESC`);
  const bySlug = db.prepare(`SELECT ${COLUMNS} FROM articles WHERE slug = ?`);
  const byId = db.prepare(`SELECT ${COLUMNS} FROM articles WHERE id = ?`);
  const first = db.prepare(`SELECT ${COLUMNS} FROM articles ORDER BY created_at, id LIMIT 1`);
  const insert = db.prepare(`INSERT INTO articles (slug, title, body, created_at, byline, published_at, author_account)
    VALUES (@slug, @title, @body, @createdAt, @byline, @publishedAt, @authorAccount)`);
  const setMode = db.prepare(`UPDATE articles SET moderation_mode = ? WHERE id = ?`);
  const setClosed = db.prepare(`UPDATE articles SET comments_closed = ? WHERE id = ?`);
  const setSlow = db.prepare(`UPDATE articles SET slow_mode_seconds = ? WHERE id = ?`);
  const bumpSeq = db.prepare(`UPDATE articles SET seq = seq + 1 WHERE id = ? RETURNING seq`).pluck();
  const logEvent = db.prepare(`INSERT INTO article_events (article_id, seq, type, comment_id, created_at) VALUES (?, ?, 'article', NULL, ?)`);

  const updateSettings = db.transaction((id: number, s: ArticleSettings, at: number) => {
    if (s.moderationMode !== undefined) setMode.run(s.moderationMode, id);
    if (s.commentsClosed !== undefined) setClosed.run(s.commentsClosed ? 1 : 0, id);
    if (s.slowModeSeconds !== undefined) setSlow.run(s.slowModeSeconds, id);
    const seq = bumpSeq.get(id) as number;
    logEvent.run(id, seq, at);
    return { article: toArticle(byId.get(id) as ArticleRow)!, seq };
  });

  return {
    body: async (id) => (bodyOf.get(id) as string | undefined) ?? '',
    list: async () => (list.all() as ArticleRow[]).map((r) => toArticle(r)!),
    getBySlug: async (slug) => toArticle(bySlug.get(slug) as ArticleRow | undefined),
    getById: async (id) => toArticle(byId.get(id) as ArticleRow | undefined),
    first: async () => toArticle(first.get() as ArticleRow | undefined),
    insert: (a) =>
      write(() => {
        const row = { slug: a.slug, title: a.title, body: a.body, createdAt: a.createdAt, byline: a.byline ?? null, publishedAt: a.publishedAt ?? null, authorAccount: a.authorAccount ?? null };
        return toArticle(byId.get(Number(insert.run(row).lastInsertRowid)) as ArticleRow)!;
      }),
    updateSettings: (id, s, at) => write(() => updateSettings(id, s, at)),
  };
}
