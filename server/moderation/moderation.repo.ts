// Owns the SQL for moderation (SQLite): settings, word lists, bans, reader reports, the audit log and the queues.
import type { Db } from '../db/open';
import type { CommentRow, WriteResult } from '../db/store';
import { commentColumns, type CommentWriter } from '../comments/comments.writer';
import type { AuditEntry, AuditInput, Ban, BanAction, ModerationRepo, QueueName, ReportSummary, Word } from '../db/moderation.types';
import type { Write } from '../db/write-batch';
import { createOutboxRecorder } from '../notify/notify.repo';

const BAN_COLUMNS = `id, author_id AS authorId, ip_hash AS ipHash, reason, created_at AS createdAt,
  expires_at AS expiresAt, created_by AS createdBy, lifted_at AS liftedAt`;

// Each queue is one indexed walk: comments_status (status, id) or comments_reported.
const QUEUE_WHERE: Record<QueueName, string> = {
  pending: `c.status = 'pending' AND c.reports_open = 0`,
  reported: `c.reports_open > 0 AND c.status IN ('published', 'pending')`,
  published: `c.status = 'published'`,
  rejected: `c.status = 'rejected'`,
};
// Review queues are first in, first out; the published and rejected lists show the newest first.
const QUEUE_ORDER: Record<QueueName, 'ASC' | 'DESC'> = { pending: 'ASC', reported: 'ASC', published: 'DESC', rejected: 'DESC' };

/** How long "no ban is in force" stands without a read, for bans written by another process. */
const NO_BAN_RECHECK_MS = 1000;

export function createModerationRepo(db: Db, writer: CommentWriter, write: Write): ModerationRepo {
  const cols = commentColumns();
  const outbox = createOutboxRecorder(db);
  const getSettings = db.prepare(`SELECT key, value FROM site_settings`);
  const putSetting = db.prepare(`INSERT INTO site_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  const listWords = db.prepare(`SELECT id, word, kind, created_at AS createdAt FROM words ORDER BY kind, word`);
  const insertWord = db.prepare(`INSERT INTO words (word, kind, created_at) VALUES (?, ?, ?)
    ON CONFLICT (word, kind) DO UPDATE SET word = excluded.word RETURNING id, word, kind, created_at AS createdAt`);
  const deleteWord = db.prepare(`DELETE FROM words WHERE id = ? RETURNING id, word, kind, created_at AS createdAt`);
  const activeBan = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans
    WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)
      AND ((author_id IS NOT NULL AND author_id = @authorId) OR (ip_hash IS NOT NULL AND ip_hash = @ipHash))
    ORDER BY expires_at IS NULL DESC, expires_at DESC LIMIT 1`);
  const anyActiveBan = db.prepare(`SELECT EXISTS (SELECT 1 FROM bans WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?))`).pluck();
  const bansForAuthors = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans
    WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now) AND author_id IN (SELECT value FROM json_each(@ids))`);
  const insertBan = db.prepare(`INSERT INTO bans (author_id, ip_hash, reason, created_at, expires_at, created_by)
    VALUES (@authorId, @ipHash, @reason, @createdAt, @expiresAt, @createdBy) RETURNING ${BAN_COLUMNS}`);
  const liftBan = db.prepare(`UPDATE bans SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at IS NULL RETURNING ${BAN_COLUMNS}`);
  const getBan = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans WHERE id = ?`);
  const listBans = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans
    WHERE @all = 1 OR (lifted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)) ORDER BY id DESC LIMIT 500`);
  const namesOfAuthor = db.prepare(`SELECT author_name FROM comments WHERE author_id = ?
    GROUP BY author_name ORDER BY MAX(created_at) DESC LIMIT ?`).pluck();
  const namesOfNetwork = db.prepare(`SELECT author_name FROM comments WHERE ip_hash = ?
    GROUP BY author_name ORDER BY MAX(created_at) DESC LIMIT ?`).pluck();
  const insertReport = db.prepare(`INSERT INTO reports (comment_id, author_id, reason, note, created_at, ip_hash, weight)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (comment_id, author_id) DO NOTHING`);
  // The hiding score: each network counts once, with the weight of its most trusted reporter. Reports
  // without a network (none recorded) count per author.
  const reportScore = db.prepare(`SELECT COALESCE(SUM(w), 0) FROM (SELECT MAX(weight) AS w FROM reports
    WHERE comment_id = ? AND resolved_at IS NULL GROUP BY COALESCE(ip_hash, 'author:' || author_id))`).pluck();
  const bumpReports = db.prepare(`UPDATE comments SET report_count = report_count + 1, reports_open = reports_open + 1
    WHERE id = ? RETURNING reports_open AS open, report_count AS total, status`);
  const summaries = db.prepare(`SELECT comment_id AS commentId, reason, COUNT(*) AS count,
      json_group_array(note) FILTER (WHERE note IS NOT NULL) AS notes
    FROM reports WHERE comment_id IN (SELECT value FROM json_each(?)) AND resolved_at IS NULL
    GROUP BY comment_id, reason ORDER BY comment_id, count DESC`);
  const insertAudit = db.prepare(`INSERT INTO audit_log (moderator_id, action, target_type, target_id, reason, details, created_at)
    VALUES (@moderatorId, @action, @targetType, @targetId, @reason, @details, @at)`);
  const listAudit = db.prepare(`SELECT a.id, a.moderator_id AS moderatorId, m.username AS moderatorName, a.action,
      a.target_type AS targetType, a.target_id AS targetId, a.reason, a.details, a.created_at AS createdAt
    FROM audit_log a LEFT JOIN moderators m ON m.id = a.moderator_id
    WHERE a.id < @beforeId ORDER BY a.id DESC LIMIT @limit`);
  const queues = new Map(
    (Object.keys(QUEUE_WHERE) as QueueName[]).map((q) => {
      const cmp = QUEUE_ORDER[q] === 'ASC' ? '>' : '<';
      const sql = `SELECT ${cols} FROM comments c WHERE ${QUEUE_WHERE[q]} AND c.id ${cmp} @afterId
        AND (@articleId IS NULL OR c.article_id = @articleId) ORDER BY c.id ${QUEUE_ORDER[q]} LIMIT @limit`;
      return [q, db.prepare(sql)] as const;
    }),
  );
  const countQueue = db.prepare(`SELECT
      (SELECT COUNT(*) FROM comments c WHERE ${QUEUE_WHERE.pending} AND (@articleId IS NULL OR c.article_id = @articleId)) AS pending,
      (SELECT COUNT(*) FROM comments c WHERE ${QUEUE_WHERE.reported} AND (@articleId IS NULL OR c.article_id = @articleId)) AS reported`);
  const liveOfAuthor = db.prepare(`SELECT ${cols} FROM comments c WHERE c.author_id = ? AND c.status IN ('published', 'pending') ORDER BY c.id`);
  const recentOfAuthors = db.prepare(`SELECT ${cols} FROM (
      SELECT id, ROW_NUMBER() OVER (PARTITION BY author_id ORDER BY created_at DESC) AS n
      FROM comments WHERE author_id IN (SELECT value FROM json_each(@ids))) r
    JOIN comments c ON c.id = r.id WHERE r.n <= @per ORDER BY c.author_id, c.created_at DESC`);
  const ipTimes = db.prepare(`SELECT created_at FROM comments WHERE ip_hash = ? AND created_at >= ? ORDER BY created_at`).pluck();

  const addReport = db.transaction((r: Parameters<ModerationRepo['addReport']>[0]) => {
    if (insertReport.run(r.commentId, r.authorId, r.reason, r.note, r.at, r.ipHash, r.weight).changes === 0) {
      const c = writer.get(r.commentId)!;
      return { created: false, reportCount: c.reportCount, hidden: null };
    }
    const counts = bumpReports.get(r.commentId) as { open: number; total: number; status: string };
    const hidden =
      counts.status === 'published' && (reportScore.get(r.commentId) as number) >= r.threshold
        ? writer.setStatus(r.commentId, { status: 'pending', heldReason: 'reports', at: r.at })
        : null;
    outbox.record({ op: 'report', commentId: r.commentId, hidden, at: r.at });
    return { created: true, reportCount: counts.total, hidden };
  });

  // Every post asks for its sender's ban, and most of the time no ban is in force at all. Once a read finds none,
  // the answer is "none" without a read until a ban is written here (bans only ever end by themselves) or, for
  // a ban another process wrote into the file (the CLIs), until NO_BAN_RECHECK_MS has passed.
  // (The look for any ban in force at all runs at most once per NO_BAN_RECHECK_MS.)
  let noBanUntil = -Infinity;
  let lookedAt = -Infinity;
  const banOf = (authorId: number | null, ipHash: string | null, now: number): Ban | undefined => {
    if (now < noBanUntil) return undefined;
    const ban = activeBan.get({ authorId, ipHash, now }) as Ban | undefined;
    if (!ban && (now >= lookedAt + NO_BAN_RECHECK_MS || now < lookedAt)) {
      lookedAt = now;
      if (anyActiveBan.get(now) === 0) noBanUntil = now + NO_BAN_RECHECK_MS;
    }
    return ban;
  };
  const addBan = (ban: Parameters<ModerationRepo['createBan']>[0]) => {
    noBanUntil = -Infinity;
    return insertBan.get(ban) as Ban;
  };

  const raiseAlarm = db.prepare(`INSERT INTO heat_alarms (article_id, raised_at) VALUES (?, ?) ON CONFLICT (article_id) DO NOTHING`);
  const settleAlarms = db.prepare(`DELETE FROM heat_alarms WHERE article_id NOT IN (SELECT value FROM json_each(?))`);
  const writeAudit = (e: AuditInput) =>
    insertAudit.run({ moderatorId: e.moderatorId, action: e.action, targetType: e.targetType, targetId: e.targetId, reason: e.reason ?? null, details: e.details === undefined ? null : JSON.stringify(e.details), at: e.at });

  const banAuthor = db.transaction((b: BanAction) => {
    const bans = b.bans.map(addBan);
    const removed: WriteResult[] = [];
    if (b.removeCommentsOf) {
      const { authorId, moderatorId, note } = b.removeCommentsOf;
      for (const row of liveOfAuthor.all(authorId) as CommentRow[]) {
        removed.push(writer.setStatus(row.id, { status: 'rejected', at: b.audit.at, moderatorId, note, resolveReports: true }));
      }
    }
    writeAudit({ ...b.audit, details: { ...b.audit.details, banIds: bans.map((x) => x.id), removed: removed.length } });
    outbox.record({ op: 'ban', authorId: bans.find((x) => x.authorId !== null)?.authorId ?? null, removed, at: b.audit.at });
    return { bans, removed };
  });

  // With a limit (the stored-comments rule) the writer's in-memory times answer; without, the console's full list.
  const timesByIp = (ipHash: string, sinceAt: number, limit?: number): number[] =>
    limit === undefined ? (ipTimes.all(ipHash, sinceAt) as number[]) : writer.networkTimes.times(ipHash, sinceAt, limit);

  return {
    getSettings: async () => Object.fromEntries((getSettings.all() as { key: string; value: string }[]).map((r) => [r.key, r.value])),
    setSettings: (values) =>
      write(() => {
        for (const [k, v] of Object.entries(values)) if (v !== undefined) putSetting.run(k, v);
      }),
    listWords: async () => listWords.all() as Word[],
    addWord: (word, kind, at) => write(() => insertWord.get(word, kind, at) as Word),
    removeWord: (id) => write(() => deleteWord.get(id) as Word | undefined),
    activeBan: async (authorId, ipHash, now) => banOf(authorId, ipHash, now),
    activeBansFor: async (ids, now) => (ids.length ? (bansForAuthors.all({ ids: JSON.stringify(ids), now }) as Ban[]) : []),
    createBan: (b) => write(() => addBan(b)),
    liftBan: (id, by, at) => write(() => liftBan.get(at, by, id) as Ban | undefined),
    getBan: async (id) => getBan.get(id) as Ban | undefined,
    listBans: async (now, all) => listBans.all({ now, all: all ? 1 : 0 }) as Ban[],
    namesUsed: async ({ authorIds, ipHashes }, per) => ({
      byAuthor: Object.fromEntries(authorIds.map((id) => [id, namesOfAuthor.all(id, per) as string[]])),
      byNetwork: Object.fromEntries(ipHashes.map((h) => [h, namesOfNetwork.all(h, per) as string[]])),
    }),
    addReport: (r) => write(() => addReport(r)),
    reportSummaries: async (ids) =>
      ids.length
        ? (summaries.all(JSON.stringify(ids)) as (Omit<ReportSummary, 'notes'> & { notes: string })[]).map((s) => ({ ...s, notes: JSON.parse(s.notes) as string[] }))
        : [],
    audit: (e) => write(() => void writeAudit(e)),
    raiseHeatAlarm: (articleId, e) =>
      write(() => {
        if (raiseAlarm.run(articleId, e.at).changes === 0) return false;
        writeAudit(e);
        return true;
      }),
    settleHeatAlarms: (hot) => write(() => void settleAlarms.run(JSON.stringify(hot))),
    banAuthor: (b) => write(() => banAuthor(b)),
    listAudit: async ({ beforeId, limit }) =>
      (listAudit.all({ beforeId: beforeId ?? Number.MAX_SAFE_INTEGER, limit }) as (Omit<AuditEntry, 'details'> & { details: string | null })[]).map((a) => ({
        ...a,
        details: a.details === null ? null : JSON.parse(a.details),
      })),
    listQueue: async (q) =>
      queues.get(q.queue)!.all({
        afterId: q.afterId ?? (QUEUE_ORDER[q.queue] === 'ASC' ? 0 : Number.MAX_SAFE_INTEGER),
        articleId: q.articleId ?? null,
        limit: q.limit,
      }) as CommentRow[],
    queueCounts: async (articleId) => countQueue.get({ articleId: articleId ?? null }) as { pending: number; reported: number },
    liveCommentsOfAuthor: async (authorId) => liveOfAuthor.all(authorId) as CommentRow[],
    recentOfAuthors: async (ids, per) => (ids.length ? (recentOfAuthors.all({ ids: JSON.stringify(ids), per }) as CommentRow[]) : []),
    recentTimesByIp: async (ipHash, sinceAt, limit) => timesByIp(ipHash, sinceAt, limit),
    // Two statements in one process: nothing to save by joining them.
    postChecks: async (authorId, ipHash, now, sinceAt, limit) => ({
      ban: banOf(authorId, ipHash, now),
      ipTimes: timesByIp(ipHash, sinceAt, limit),
    }),
  };
}
