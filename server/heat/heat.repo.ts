// Owns the SQLite side of the heated-thread tools on comments: picks (精选), reactions with their kept
// counts and 最热 score, and the last post time slow mode waits on.
import type { Db } from '../db/open';
import type { CommentRow, CommentsRepo, LikeCap, ReactionResult } from '../db/store';
import type { Write } from '../db/write-batch';
import { commentColumns, type CommentWriter } from '../comments/comments.writer';
import { mergeAttention, parseCounts, shiftCounts, type PerArticle } from './heat.counts';

type HeatMethods = Pick<CommentsRepo, 'setFeatured' | 'listFeatured' | 'toggleReaction' | 'reactedBy' | 'lastPostAt' | 'pulse' | 'attention'>;

export function createHeatMethods(db: Db, writer: CommentWriter, write: Write): HeatMethods {
  const featured = db.prepare(`SELECT ${commentColumns()} FROM comments c
    WHERE c.article_id = ? AND c.featured_at IS NOT NULL AND c.status = 'published' ORDER BY c.featured_at DESC LIMIT ?`);
  const find = db.prepare(`SELECT 1 FROM comment_reactions WHERE comment_id = ? AND author_id = ? AND kind = ?`).pluck();
  const add = db.prepare(`INSERT INTO comment_reactions (comment_id, author_id, kind, created_at, ip_hash) VALUES (?, ?, ?, ?, ?)`);
  const drop = db.prepare(`DELETE FROM comment_reactions WHERE comment_id = ? AND author_id = ? AND kind = ?`);
  const network = db.prepare(`SELECT created_at FROM comment_reactions
    WHERE comment_id = ? AND ip_hash = ? AND kind = ? AND created_at > ? ORDER BY created_at`).pluck();
  const countsOf = db.prepare(`SELECT reactions, article_id AS articleId FROM comments WHERE id = ?`);
  const setCounts = db.prepare(`UPDATE comments SET reactions = ?, score = score + ? WHERE id = ?`);
  const mine = db.prepare(`SELECT r.comment_id AS id, r.kind FROM json_each(@ids) j
    JOIN comment_reactions r ON r.author_id = @authorId AND r.comment_id = j.value ORDER BY r.comment_id, r.kind`);
  const lastByAuthor = db.prepare(`SELECT MAX(created_at) FROM comments WHERE author_id = ? AND article_id = ?`).pluck();
  const pulse = db.prepare(`SELECT article_id AS articleId, created_at / CAST(@bucket AS INTEGER) AS bucket, COUNT(*) AS count
    FROM comments WHERE created_at >= @since GROUP BY article_id, bucket ORDER BY article_id, bucket`);
  // Both through partial or status indexes: only comments with open reports, only held ones (id > 0 makes
  // the reported one a range search of its partial index).
  const reported = db.prepare(`SELECT article_id AS articleId, SUM(reports_open) AS n FROM comments
    WHERE reports_open > 0 AND id > 0 GROUP BY article_id`);
  const held = db.prepare(`SELECT article_id AS articleId, COUNT(*) AS n FROM comments WHERE status = 'pending' GROUP BY article_id`);
  const lastByNetwork = db.prepare(`SELECT MAX(created_at) FROM comments WHERE ip_hash = ? AND article_id = ?`).pluck();

  // The cap is checked inside the transaction, so reactions sent all at once cannot all pass it.
  const toggle = db.transaction((commentId: number, authorId: number, kind: string, at: number, cap?: LikeCap): ReactionResult => {
    const had = find.get(commentId, authorId, kind) === 1;
    if (!had && cap?.ipHash) {
      const times = network.all(commentId, cap.ipHash, kind, at - cap.windowMs) as number[];
      if (times.length >= cap.limit) return { capped: { retryAt: times[times.length - cap.limit] + cap.windowMs } };
    }
    if (had) drop.run(commentId, authorId, kind);
    else add.run(commentId, authorId, kind, at, cap?.ipHash ?? null);
    const row = countsOf.get(commentId) as { reactions: string; articleId: number };
    const counts = shiftCounts(parseCounts(row.reactions), kind, had ? -1 : 1);
    setCounts.run(JSON.stringify(counts), had ? -1 : 1, commentId);
    const seq = writer.logChange(row.articleId, 'reaction', commentId, at);
    return { on: !had, counts, seq, articleId: row.articleId };
  });

  return {
    pulse: async (since, bucket) => pulse.all({ since, bucket }) as { articleId: number; bucket: number; count: number }[],
    attention: async () => mergeAttention(reported.all() as PerArticle[], held.all() as PerArticle[]),
    setFeatured: (id, on, at) => write(() => writer.setFeatured(id, on, at)),
    listFeatured: async (articleId, limit) => featured.all(articleId, limit) as CommentRow[],
    toggleReaction: (commentId, authorId, kind, at, cap) => write(() => toggle(commentId, authorId, kind, at, cap)),
    reactedBy: async (authorId, ids) => {
      const out = new Map<number, string[]>();
      if (!ids.length) return out;
      for (const r of mine.all({ ids: JSON.stringify(ids), authorId }) as { id: number; kind: string }[]) out.set(r.id, [...(out.get(r.id) ?? []), r.kind]);
      return out;
    },
    lastPostAt: async (articleId, authorId, ipHash) => {
      const a = authorId === null ? null : (lastByAuthor.get(authorId, articleId) as number | null);
      const n = ipHash === null ? null : (lastByNetwork.get(ipHash, articleId) as number | null);
      return a === null && n === null ? null : Math.max(a ?? 0, n ?? 0);
    },
  };
}
