// Owns merging two page threads of a site on PostgreSQL: one transaction that locks both article rows (in
// id order, as every comment write locks its article first), then moves, logs and aliases as SQLite does.
import type pg from 'pg';
import type { Article, CommentChange, CommentRow, EmbedRepo, MergeRefusal } from '../store';
import { commentColumns } from './pg.writer';
import { transaction } from './pg.pool';

const ARTICLE_COLUMNS = `id, slug, title, created_at AS "createdAt", comment_count AS "commentCount", seq,
  moderation_mode AS "moderationMode", comments_closed AS "commentsClosed", slow_mode_seconds AS "slowModeSeconds"`;

type Locked = Article & { siteId: number | null; mergedInto: number | null };

export function createPgMergeThreads(pool: pg.Pool): EmbedRepo['mergeThreads'] {
  return (m) =>
    transaction(pool, async (q) => {
      const locked = await q<Locked>(`SELECT ${ARTICLE_COLUMNS}, site_id AS "siteId", merged_into AS "mergedInto"
        FROM articles WHERE slug = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE`, [[m.fromSlug, m.intoSlug]]);
      const from = locked.find((a) => a.slug === m.fromSlug);
      const into = locked.find((a) => a.slug === m.intoSlug);
      let refusal: MergeRefusal | null = null;
      if (!from || from.siteId !== m.siteId) refusal = 'not_found';
      else if (m.fromSlug === m.intoSlug) refusal = 'same_thread';
      else if (!into) refusal = 'target_not_found';
      else if (into.siteId !== m.siteId) refusal = 'other_site';
      else if (from.mergedInto !== null || into.mergedInto !== null) refusal = 'merged';
      else if (from.commentsClosed || into.commentsClosed) refusal = 'closed';
      if (refusal) return { ok: false as const, refusal };
      const ids = [from!.id, into!.id];
      const rows = await q<CommentRow>(`UPDATE comments c SET article_id = $2 WHERE c.article_id = $1 RETURNING ${commentColumns()}`, ids);
      rows.sort((a, b) => a.id - b.id);
      // A reader subscribed to both keeps one subscription: a confirmed one over one still waiting for its mail.
      await q(`DELETE FROM mail_subscriptions WHERE article_id = $2 AND confirmed_at IS NULL
        AND author_id IN (SELECT author_id FROM mail_subscriptions WHERE article_id = $1 AND confirmed_at IS NOT NULL)`, ids);
      await q(`UPDATE mail_subscriptions s SET article_id = $2 WHERE s.article_id = $1
        AND NOT EXISTS (SELECT 1 FROM mail_subscriptions t WHERE t.article_id = $2 AND t.author_id = s.author_id)`, ids);
      await q(`DELETE FROM mail_subscriptions WHERE article_id = $1`, [ids[0]]);
      let seq = into!.seq;
      const changes: CommentChange[] = rows.map((r) => ({ seq: ++seq, type: 'created', comment: r }));
      seq++;
      await q(`INSERT INTO article_events (article_id, seq, type, comment_id, created_at)
        SELECT $1, s, CASE WHEN c IS NULL THEN 'article' ELSE 'created' END, c, $4
        FROM unnest($2::bigint[], $3::bigint[]) AS e(s, c)`,
        [ids[1], [...changes.map((c) => c.seq), seq], [...changes.map((c) => c.comment.id), null], m.at]);
      await q(`UPDATE articles SET seq = $1, comment_count = comment_count + $2 WHERE id = $3`, [seq, from!.commentCount, ids[1]]);
      await q(`DELETE FROM article_events WHERE article_id = $1`, [ids[0]]);
      await q(`UPDATE articles SET seq = seq + 1, comment_count = 0, comments_closed = TRUE, merged_into = $2 WHERE id = $1`, ids);
      await q(`UPDATE articles SET merged_into = $2 WHERE merged_into = $1`, ids);
      const after = async (id: number) => (await q<Article>(`SELECT ${ARTICLE_COLUMNS} FROM articles WHERE id = $1`, [id]))[0];
      return { ok: true as const, merge: { from: await after(ids[0]), into: await after(ids[1]), changes, seq } };
    });
}
