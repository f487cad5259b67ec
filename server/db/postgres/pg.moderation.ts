// Owns the PostgreSQL moderation repo: settings, word lists, bans, reader reports, the audit log and the
// queues. A report that hides its comment, and a ban with its removals and audit line, each commit as one.
import type pg from 'pg';
import type { CommentRow, WriteResult } from '../rows';
import type { AuditEntry, AuditInput, Ban, ModerationRepo, QueueName, ReportSummary, Word } from '../moderation.types';
import { prepared, transaction, type Q } from './pg.pool';
import { recordOutbox } from './pg.notify';
import * as writer from './pg.writer';

const cols = writer.commentColumns();
const BAN_COLUMNS = `id, author_id AS "authorId", ip_hash AS "ipHash", reason, created_at AS "createdAt",
  expires_at AS "expiresAt", created_by AS "createdBy", lifted_at AS "liftedAt"`;
const WORD_COLUMNS = `id, word, kind, created_at AS "createdAt"`;

const QUEUE_WHERE: Record<QueueName, string> = {
  pending: `c.status = 'pending' AND c.reports_open = 0`,
  reported: `c.reports_open > 0 AND c.status IN ('published', 'pending')`,
  published: `c.status = 'published'`,
  rejected: `c.status = 'rejected'`,
};
const QUEUE_ORDER: Record<QueueName, 'ASC' | 'DESC'> = { pending: 'ASC', reported: 'ASC', published: 'DESC', rejected: 'DESC' };

export const MODERATION_SQL = {
  queue: (name: QueueName) => `SELECT ${cols} FROM comments c WHERE ${QUEUE_WHERE[name]} AND c.id ${QUEUE_ORDER[name] === 'ASC' ? '>' : '<'} $1
    AND ($2::bigint IS NULL OR c.article_id = $2) ORDER BY c.id ${QUEUE_ORDER[name]} LIMIT $3`,
  liveOfAuthor: `SELECT ${cols} FROM comments c WHERE c.author_id = $1 AND c.status IN ('published', 'pending') ORDER BY c.id`,
  activeBan: `SELECT ${BAN_COLUMNS} FROM bans
    WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $3)
      AND ((author_id IS NOT NULL AND author_id = $1) OR (ip_hash IS NOT NULL AND ip_hash = $2))
    ORDER BY expires_at IS NULL DESC, expires_at DESC LIMIT 1`,
  /** activeBan and the network's post times (as recentTimesByIp with a limit) in one round trip: every post asks both. */
  postChecks: `SELECT
      (SELECT row_to_json(b) FROM (SELECT ${BAN_COLUMNS} FROM bans
        WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $3)
          AND ((author_id IS NOT NULL AND author_id = $1) OR (ip_hash IS NOT NULL AND ip_hash = $2))
        ORDER BY expires_at IS NULL DESC, expires_at DESC LIMIT 1) b) AS ban,
      (SELECT json_agg(t ORDER BY t) FROM (
        SELECT created_at AS t FROM comments WHERE ip_hash = $2 AND created_at >= $4
          AND EXISTS (SELECT 1 FROM comments WHERE ip_hash = $2 AND created_at >= $4 ORDER BY created_at DESC OFFSET $5 - 1 LIMIT 1)
        ORDER BY created_at DESC LIMIT $5) x) AS times`,
  insertBan: `INSERT INTO bans (author_id, ip_hash, reason, created_at, expires_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${BAN_COLUMNS}`,
  insertAudit: `INSERT INTO audit_log (moderator_id, action, target_type, target_id, reason, details, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
};

const auditParams = (e: AuditInput) => [e.moderatorId, e.action, e.targetType, e.targetId, e.reason ?? null, e.details === undefined ? null : JSON.stringify(e.details), e.at];
const banParams = (b: Omit<Ban, 'id' | 'liftedAt'>) => [b.authorId, b.ipHash, b.reason, b.createdAt, b.expiresAt, b.createdBy];

export function createPgModerationRepo(pool: pg.Pool, q: Q): ModerationRepo {
  const S = MODERATION_SQL;
  const tx = <T>(fn: (t: Q) => Promise<T>) => transaction(pool, fn);
  const first = async <R>(p: Promise<R[]>) => (await p)[0];
  const hot = prepared(pool);

  return {
    getSettings: async () => Object.fromEntries((await q<{ key: string; value: string }>(`SELECT key, value FROM site_settings`)).map((r) => [r.key, r.value])),
    setSettings: (values) =>
      tx(async (t) => {
        for (const [k, v] of Object.entries(values)) {
          if (v !== undefined) await t(`INSERT INTO site_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [k, v]);
        }
      }),
    listWords: () => q<Word>(`SELECT ${WORD_COLUMNS} FROM words ORDER BY kind, word`),
    addWord: (word, kind, at) =>
      first(q<Word>(`INSERT INTO words (word, kind, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (word, kind) DO UPDATE SET word = EXCLUDED.word RETURNING ${WORD_COLUMNS}`, [word, kind, at])),
    removeWord: (id) => first(q<Word>(`DELETE FROM words WHERE id = $1 RETURNING ${WORD_COLUMNS}`, [id])),
    activeBan: (authorId, ipHash, now) => first(hot<Ban>('yilun_active_ban', S.activeBan, [authorId, ipHash, now])),
    activeBansFor: async (ids, now) =>
      ids.length ? q<Ban>(`SELECT ${BAN_COLUMNS} FROM bans WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $2) AND author_id = ANY($1::bigint[])`, [ids, now]) : [],
    createBan: (b) => first(q<Ban>(S.insertBan, banParams(b))),
    liftBan: (id, by, at) => first(q<Ban>(`UPDATE bans SET lifted_at = $1, lifted_by = $2 WHERE id = $3 AND lifted_at IS NULL RETURNING ${BAN_COLUMNS}`, [at, by, id])),
    getBan: (id) => first(q<Ban>(`SELECT ${BAN_COLUMNS} FROM bans WHERE id = $1`, [id])),
    listBans: (now, all) =>
      q<Ban>(`SELECT ${BAN_COLUMNS} FROM bans WHERE $1 OR (lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $2)) ORDER BY id DESC LIMIT 500`, [all, now]),
    namesUsed: async ({ authorIds, ipHashes }, per) => {
      const [authors, networks] = await Promise.all([
        authorIds.length
          ? q<{ key: number; name: string }>(`SELECT k.id AS key, n.name FROM unnest($1::bigint[]) k(id) CROSS JOIN LATERAL (
              SELECT author_name AS name FROM comments WHERE author_id = k.id GROUP BY author_name ORDER BY MAX(created_at) DESC LIMIT $2) n`, [authorIds, per])
          : [],
        ipHashes.length
          ? q<{ key: string; name: string }>(`SELECT k.h AS key, n.name FROM unnest($1::text[]) k(h) CROSS JOIN LATERAL (
              SELECT author_name AS name FROM comments WHERE ip_hash = k.h GROUP BY author_name ORDER BY MAX(created_at) DESC LIMIT $2) n`, [ipHashes, per])
          : [],
      ]);
      const group = <K extends string | number>(keys: K[], rows: { key: K; name: string }[]) => {
        const out = Object.fromEntries(keys.map((k) => [k, [] as string[]])) as Record<K, string[]>;
        for (const r of rows) out[r.key].push(r.name);
        return out;
      };
      return { byAuthor: group(authorIds, authors), byNetwork: group(ipHashes, networks) };
    },
    addReport: (r) =>
      tx(async (t) => {
        if ((await writer.lockArticleOf(t, r.commentId)) === undefined) throw new Error(`comment ${r.commentId} not found`);
        const inserted = await t(`INSERT INTO reports (comment_id, author_id, reason, note, created_at, ip_hash, weight)
          VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (comment_id, author_id) DO NOTHING RETURNING 1`, [r.commentId, r.authorId, r.reason, r.note, r.at, r.ipHash, r.weight]);
        if (inserted.length === 0) return { created: false, reportCount: (await writer.getComment(t, r.commentId))!.reportCount, hidden: null };
        const [counts] = await t<{ total: number; status: string }>(`UPDATE comments SET report_count = report_count + 1, reports_open = reports_open + 1
          WHERE id = $1 RETURNING report_count AS total, status`, [r.commentId]);
        // Each network counts once, with its most trusted reporter's weight (as on SQLite).
        const [score] = await t<{ s: number }>(`SELECT COALESCE(SUM(w), 0) AS s FROM (SELECT MAX(weight) AS w FROM reports
          WHERE comment_id = $1 AND resolved_at IS NULL GROUP BY COALESCE(ip_hash, 'author:' || author_id)) t`, [r.commentId]);
        const hidden =
          counts.status === 'published' && score.s >= r.threshold
            ? await writer.setStatusLocked(t, r.commentId, { status: 'pending', heldReason: 'reports', at: r.at })
            : null;
        await recordOutbox(t, { op: 'report', commentId: r.commentId, hidden, at: r.at });
        return { created: true, reportCount: counts.total, hidden };
      }),
    reportSummaries: async (ids) =>
      ids.length
        ? q<ReportSummary>(`SELECT comment_id AS "commentId", reason, COUNT(*) AS count,
              COALESCE(json_agg(note ORDER BY created_at) FILTER (WHERE note IS NOT NULL), '[]'::json) AS notes
            FROM reports WHERE comment_id = ANY($1::bigint[]) AND resolved_at IS NULL
            GROUP BY comment_id, reason ORDER BY comment_id, count DESC`, [ids])
        : [],
    audit: async (e) => void (await q(S.insertAudit, auditParams(e))),
    // The primary key decides: of two nodes raising one crossing at once, one inserts, the other waits and finds it.
    raiseHeatAlarm: (articleId, e) =>
      tx(async (t) => {
        const raised = await t(`INSERT INTO heat_alarms (article_id, raised_at) VALUES ($1, $2) ON CONFLICT (article_id) DO NOTHING RETURNING article_id`, [articleId, e.at]);
        if (raised.length) await t(S.insertAudit, auditParams(e));
        return raised.length > 0;
      }),
    settleHeatAlarms: async (hot) => void (await q(`DELETE FROM heat_alarms WHERE article_id <> ALL($1::bigint[])`, [hot])),
    banAuthor: (b) =>
      tx(async (t) => {
        const removed: WriteResult[] = [];
        if (b.removeCommentsOf) {
          const { authorId, moderatorId, note } = b.removeCommentsOf;
          // Lock every article involved, in id order, before touching any row: the order every write follows.
          const ids = (await t<{ id: number }>(`SELECT DISTINCT article_id AS id FROM comments WHERE author_id = $1 AND status IN ('published', 'pending') ORDER BY 1`, [authorId])).map((r) => r.id);
          for (const id of ids) await t(writer.SQL.lockArticle, [id]);
          for (const row of await t<CommentRow>(S.liveOfAuthor, [authorId])) {
            removed.push(await writer.setStatusLocked(t, row.id, { status: 'rejected', at: b.audit.at, moderatorId, note, resolveReports: true }));
          }
        }
        const bans: Ban[] = [];
        for (const ban of b.bans) bans.push((await t<Ban>(S.insertBan, banParams(ban)))[0]);
        await t(S.insertAudit, auditParams({ ...b.audit, details: { ...b.audit.details, banIds: bans.map((x) => x.id), removed: removed.length } }));
        await recordOutbox(t, { op: 'ban', authorId: bans.find((x) => x.authorId !== null)?.authorId ?? null, removed, at: b.audit.at });
        return { bans, removed };
      }),
    listAudit: async ({ beforeId, limit }) =>
      (
        await q<Omit<AuditEntry, 'details'> & { details: string | null }>(
          `SELECT a.id, a.moderator_id AS "moderatorId", m.username AS "moderatorName", a.action, a.target_type AS "targetType",
            a.target_id AS "targetId", a.reason, a.details, a.created_at AS "createdAt"
          FROM audit_log a LEFT JOIN moderators m ON m.id = a.moderator_id WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2`,
          [beforeId ?? Number.MAX_SAFE_INTEGER, limit],
        )
      ).map((a) => ({ ...a, details: a.details === null ? null : JSON.parse(a.details) })),
    listQueue: (qy) =>
      q<CommentRow>(S.queue(qy.queue), [qy.afterId ?? (QUEUE_ORDER[qy.queue] === 'ASC' ? 0 : Number.MAX_SAFE_INTEGER), qy.articleId ?? null, qy.limit]),
    queueCounts: (articleId) =>
      first(q<{ pending: number; reported: number }>(`SELECT
          (SELECT COUNT(*) FROM comments c WHERE ${QUEUE_WHERE.pending} AND ($1::bigint IS NULL OR c.article_id = $1)) AS pending,
          (SELECT COUNT(*) FROM comments c WHERE ${QUEUE_WHERE.reported} AND ($1::bigint IS NULL OR c.article_id = $1)) AS reported`, [articleId ?? null])),
    liveCommentsOfAuthor: (authorId) => q<CommentRow>(S.liveOfAuthor, [authorId]),
    recentOfAuthors: async (ids, per) =>
      ids.length
        ? q<CommentRow>(`SELECT ${cols} FROM (
              SELECT id, ROW_NUMBER() OVER (PARTITION BY author_id ORDER BY created_at DESC) AS n
              FROM comments WHERE author_id = ANY($1::bigint[])) r
            JOIN comments c ON c.id = r.id WHERE r.n <= $2 ORDER BY c.author_id, c.created_at DESC`, [ids, per])
        : [],
    postChecks: async (authorId, ipHash, now, sinceAt, limit) => {
      const [r] = await hot<{ ban: Ban | null; times: number[] | null }>('yilun_post_checks', S.postChecks, [authorId, ipHash, now, sinceAt, limit]);
      const times = r.times ?? [];
      return { ban: r.ban ?? undefined, ipTimes: times.length < limit ? [] : times };
    },
    // As SQLite's: under the limit (every accepted post) nothing comes back; at most `limit` rows ever do.
    recentTimesByIp: async (ipHash, sinceAt, limit) => {
      if (limit === undefined) return (await q<{ t: number }>(`SELECT created_at AS t FROM comments WHERE ip_hash = $1 AND created_at >= $2 ORDER BY created_at`, [ipHash, sinceAt])).map((r) => r.t);
      // Rows leave the server only when the window holds `limit` of them: under the limit (the usual case, and
      // every post of a network under a high limit) the answer is empty, not every post time of the window.
      const newest = (
        await hot<{ t: number }>(
          'yilun_network_post_times',
          `SELECT created_at AS t FROM comments WHERE ip_hash = $1 AND created_at >= $2
             AND EXISTS (SELECT 1 FROM comments WHERE ip_hash = $1 AND created_at >= $2 ORDER BY created_at DESC OFFSET $3 - 1 LIMIT 1)
           ORDER BY created_at DESC LIMIT $3`,
          [ipHash, sinceAt, limit],
        )
      ).map((r) => r.t);
      return newest.length < limit ? [] : newest.reverse();
    },
  };
}
