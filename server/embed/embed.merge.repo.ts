// Owns the SQL of merging two page threads of a site (SQLite): one synchronous transaction that moves the
// comments and subscriptions, logs the target's events, and leaves the source closed, empty and aliased.
import type { Db } from '../db/open';
import type { Article, CommentChange, CommentRow, EmbedRepo, MergeRefusal } from '../db/store';
import type { Write } from '../db/write-batch';
import { commentColumns } from '../comments/comments.writer';

const ARTICLE_COLUMNS = `id, slug, title, created_at AS createdAt, comment_count AS commentCount, seq,
  moderation_mode AS moderationMode, comments_closed AS commentsClosed, slow_mode_seconds AS slowModeSeconds`;

type ArticleRow = Omit<Article, 'commentsClosed'> & { commentsClosed: number };
type Probe = { id: number; siteId: number | null; mergedInto: number | null; closed: number };

const toArticle = (r: ArticleRow): Article => ({ ...r, commentsClosed: r.commentsClosed === 1 });

export function createMergeThreads(db: Db, write: Write): EmbedRepo['mergeThreads'] {
  const probe = db.prepare(`SELECT id, site_id AS siteId, merged_into AS mergedInto, comments_closed AS closed FROM articles WHERE slug = ?`);
  const article = db.prepare(`SELECT ${ARTICLE_COLUMNS} FROM articles WHERE id = ?`);
  const moving = db.prepare(`SELECT ${commentColumns()} FROM comments c WHERE c.article_id = ? ORDER BY c.id`);
  const moveComments = db.prepare(`UPDATE comments SET article_id = @into WHERE article_id = @from`);
  // A reader subscribed to both keeps one subscription: a confirmed one over one still waiting for its mail.
  const dropWaitingDuplicates = db.prepare(`DELETE FROM mail_subscriptions WHERE article_id = @into AND confirmed_at IS NULL
    AND author_id IN (SELECT author_id FROM mail_subscriptions WHERE article_id = @from AND confirmed_at IS NOT NULL)`);
  const moveSubscriptions = db.prepare(`UPDATE OR IGNORE mail_subscriptions SET article_id = @into WHERE article_id = @from`);
  const dropLeftSubscriptions = db.prepare(`DELETE FROM mail_subscriptions WHERE article_id = @from`);
  const logEvent = db.prepare(`INSERT INTO article_events (article_id, seq, type, comment_id, created_at) VALUES (?, ?, ?, ?, ?)`);
  const advanceTarget = db.prepare(`UPDATE articles SET seq = @seq, comment_count = comment_count + @count WHERE id = @into`);
  const forgetEvents = db.prepare(`DELETE FROM article_events WHERE article_id = ?`);
  const retireSource = db.prepare(`UPDATE articles SET seq = seq + 1, comment_count = 0, comments_closed = 1, merged_into = @into WHERE id = @from`);
  const repointAliases = db.prepare(`UPDATE articles SET merged_into = @into WHERE merged_into = @from`);

  const refusal = (siteId: number, from: Probe | undefined, into: Probe | undefined, same: boolean): MergeRefusal | null => {
    if (!from || from.siteId !== siteId) return 'not_found';
    if (same) return 'same_thread';
    if (!into) return 'target_not_found';
    if (into.siteId !== siteId) return 'other_site';
    if (from.mergedInto !== null || into.mergedInto !== null) return 'merged';
    if (from.closed === 1 || into.closed === 1) return 'closed';
    return null;
  };

  const merge = db.transaction((m: Parameters<EmbedRepo['mergeThreads']>[0]) => {
    const from = probe.get(m.fromSlug) as Probe | undefined;
    const into = probe.get(m.intoSlug) as Probe | undefined;
    const refused = refusal(m.siteId, from, into, m.fromSlug === m.intoSlug);
    if (refused) return { ok: false as const, refusal: refused };
    const ids = { from: from!.id, into: into!.id };
    const source = toArticle(article.get(ids.from) as ArticleRow);
    const target = toArticle(article.get(ids.into) as ArticleRow);
    const rows = moving.all(ids.from) as CommentRow[];
    moveComments.run(ids);
    dropWaitingDuplicates.run(ids);
    moveSubscriptions.run(ids);
    dropLeftSubscriptions.run(ids);
    let seq = target.seq;
    const changes: CommentChange[] = rows.map((r) => {
      logEvent.run(ids.into, ++seq, 'created', r.id, m.at);
      return { seq, type: 'created', comment: { ...r, articleId: ids.into } };
    });
    logEvent.run(ids.into, ++seq, 'article', null, m.at);
    advanceTarget.run({ seq, count: source.commentCount, into: ids.into });
    forgetEvents.run(ids.from);
    retireSource.run(ids);
    repointAliases.run(ids);
    const after = (id: number) => toArticle(article.get(id) as ArticleRow);
    return { ok: true as const, merge: { from: after(ids.from), into: after(ids.into), changes, seq } };
  });

  return (m) => write(() => merge(m));
}
