// Owns the PostgreSQL side of the heated-thread tools on comments (as server/heat/heat.repo.ts on SQLite):
// picks, reactions with their kept counts and score under the article lock, slow mode's last post time.
import type pg from 'pg';
import type { CommentRow, CommentsRepo, ReactionResult } from '../rows';
import { mergeAttention, parseCounts, shiftCounts, type PerArticle } from '../../heat/heat.counts';
import { transaction, type Q } from './pg.pool';
import * as writer from './pg.writer';

type HeatMethods = Pick<CommentsRepo, 'setFeatured' | 'listFeatured' | 'toggleReaction' | 'reactedBy' | 'lastPostAt' | 'pulse' | 'attention'>;

export function createPgHeatMethods(pool: pg.Pool, q: Q): HeatMethods {
  const tx = <T>(fn: (t: Q) => Promise<T>) => transaction(pool, fn);
  return {
    pulse: (since, bucket) =>
      q<{ articleId: number; bucket: number; count: number }>(
        `SELECT article_id AS "articleId", created_at / $2 AS bucket, COUNT(*) AS count
          FROM comments WHERE created_at >= $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [since, bucket],
      ),
    attention: async () =>
      mergeAttention(
        await q<PerArticle>(`SELECT article_id AS "articleId", SUM(reports_open) AS n FROM comments WHERE reports_open > 0 GROUP BY article_id`),
        await q<PerArticle>(`SELECT article_id AS "articleId", COUNT(*) AS n FROM comments WHERE status = 'pending' GROUP BY article_id`),
      ),
    setFeatured: (id, on, at) => tx((t) => writer.setFeatured(t, id, on, at)),
    listFeatured: (articleId, limit) =>
      q<CommentRow>(`SELECT ${writer.commentColumns()} FROM comments c
        WHERE c.article_id = $1 AND c.featured_at IS NOT NULL AND c.status = 'published' ORDER BY c.featured_at DESC LIMIT $2`, [articleId, limit]),
    toggleReaction: (commentId, authorId, kind, at, cap) =>
      tx(async (t): Promise<ReactionResult> => {
        // The article lock makes the cap hold for reactions sent all at once, as SQLite's single writer does.
        const articleId = await writer.lockArticleOf(t, commentId);
        if (articleId === undefined) throw new Error(`comment ${commentId} not found`);
        const had = (await t(`SELECT 1 AS one FROM comment_reactions WHERE comment_id = $1 AND author_id = $2 AND kind = $3`, [commentId, authorId, kind])).length > 0;
        if (!had && cap?.ipHash) {
          const times = (
            await t<{ t: number }>(`SELECT created_at AS t FROM comment_reactions WHERE comment_id = $1 AND ip_hash = $2 AND kind = $3 AND created_at > $4 ORDER BY created_at`, [commentId, cap.ipHash, kind, at - cap.windowMs])
          ).map((r) => r.t);
          if (times.length >= cap.limit) return { capped: { retryAt: times[times.length - cap.limit] + cap.windowMs } };
        }
        if (had) await t(`DELETE FROM comment_reactions WHERE comment_id = $1 AND author_id = $2 AND kind = $3`, [commentId, authorId, kind]);
        else await t(`INSERT INTO comment_reactions (comment_id, author_id, kind, created_at, ip_hash) VALUES ($1, $2, $3, $4, $5)`, [commentId, authorId, kind, at, cap?.ipHash ?? null]);
        const [row] = await t<{ reactions: string }>(`SELECT reactions FROM comments WHERE id = $1`, [commentId]);
        const counts = shiftCounts(parseCounts(row.reactions), kind, had ? -1 : 1);
        await t(`UPDATE comments SET reactions = $1, score = score + $2 WHERE id = $3`, [JSON.stringify(counts), had ? -1 : 1, commentId]);
        const { seq } = await writer.logChange(t, articleId, 'reaction', commentId, at);
        return { on: !had, counts, seq, articleId };
      }),
    reactedBy: async (authorId, ids) => {
      const out = new Map<number, string[]>();
      if (!ids.length) return out;
      const rows = await q<{ id: number; kind: string }>(
        `SELECT comment_id AS id, kind FROM comment_reactions WHERE author_id = $1 AND comment_id = ANY($2::bigint[]) ORDER BY comment_id, kind`,
        [authorId, ids],
      );
      for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), r.kind]);
      return out;
    },
    lastPostAt: async (articleId, authorId, ipHash) => {
      const [r] = await q<{ a: number | null; n: number | null }>(
        `SELECT (SELECT MAX(created_at) FROM comments WHERE author_id = $1 AND article_id = $3) AS a,
                (SELECT MAX(created_at) FROM comments WHERE ip_hash = $2 AND article_id = $3) AS n`,
        [authorId, ipHash, articleId],
      );
      return r.a === null && r.n === null ? null : Math.max(r.a ?? 0, r.n ?? 0);
    },
  };
}
