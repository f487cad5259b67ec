// Owns the PostgreSQL repos for articles, accountless authors and moderator accounts (sessions, login failures).
import type pg from 'pg';
import type { Article, ArticlesRepo, Author, AuthorsRepo } from '../rows';
import type { LoginFailure, LoginNotice, Moderator, ModeratorsRepo } from '../moderators.types';
import { coalescedRead, transaction, type Q } from './pg.pool';
import * as writer from './pg.writer';

const ARTICLE_COLUMNS = `id, slug, title, created_at AS "createdAt", comment_count AS "commentCount", seq,
  moderation_mode AS "moderationMode", comments_closed AS "commentsClosed", byline, published_at AS "publishedAt",
  author_account AS "authorAccount", slow_mode_seconds AS "slowModeSeconds"`;
const AUTHOR_COLUMNS = `id, token_hash AS "tokenHash", created_at AS "createdAt", published_count AS "publishedCount", last_ip_hash AS "lastIpHash"`;
const MOD_COLUMNS = `id, username, password_hash AS "passwordHash", role, created_at AS "createdAt", disabled`;
const FAILURE_COLUMNS = `key, failures, first_at AS "firstAt", locked_until AS "lockedUntil"`;

const first = async <R>(p: Promise<R[]>) => (await p)[0];
/** DELETE ... answered with how many rows went. */
const deleted = async (q: Q, sql: string, params: unknown[]) => (await q<{ n: number }>(`WITH d AS (${sql} RETURNING 1) SELECT COUNT(*) AS n FROM d`, params))[0].n;

export function createPgArticlesRepo(pool: pg.Pool, q: Q): ArticlesRepo {
  const byId = (t: Q, id: number) => first(t<Article>(`SELECT ${ARTICLE_COLUMNS} FROM articles WHERE id = $1`, [id]));
  // Every post and every join reads its article: concurrent reads of one slug share a query.
  const bySlug = coalescedRead<Article>(pool, 'yilun_article_by_slug', `SELECT ${ARTICLE_COLUMNS} FROM articles WHERE slug = $1`);
  return {
    body: async (id) => (await first(q<{ body: string }>(`SELECT body FROM articles WHERE id = $1`, [id])))?.body ?? '',
    list: () => q<Article>(`SELECT ${ARTICLE_COLUMNS} FROM articles ORDER BY created_at DESC, id DESC`),
    // A copy each: callers that shared the read never share (and change) one object.
    getBySlug: async (slug) => {
      const a = (await bySlug(slug))[0];
      return a && { ...a };
    },
    getById: (id) => byId(q, id),
    first: () => first(q<Article>(`SELECT ${ARTICLE_COLUMNS} FROM articles ORDER BY created_at, id LIMIT 1`)),
    insert: async (a) =>
      (await first(
        q<Article>(`INSERT INTO articles (slug, title, body, created_at, byline, published_at, author_account) VALUES ($1, $2, $3, $4, $5, $6, $7)
          RETURNING ${ARTICLE_COLUMNS}`, [a.slug, a.title, a.body, a.createdAt, a.byline ?? null, a.publishedAt ?? null, a.authorAccount ?? null]),
      ))!,
    updateSettings: (id, s, at) =>
      transaction(pool, async (t) => {
        await t(writer.SQL.lockArticle, [id]);
        if (s.moderationMode !== undefined) await t(`UPDATE articles SET moderation_mode = $1 WHERE id = $2`, [s.moderationMode, id]);
        if (s.commentsClosed !== undefined) await t(`UPDATE articles SET comments_closed = $1 WHERE id = $2`, [s.commentsClosed, id]);
        if (s.slowModeSeconds !== undefined) await t(`UPDATE articles SET slow_mode_seconds = $1 WHERE id = $2`, [s.slowModeSeconds, id]);
        const { seq } = await writer.logChange(t, id, 'article', null, at);
        return { article: (await byId(t, id))!, seq };
      }),
  };
}

export function createPgAuthorsRepo(q: Q): AuthorsRepo {
  return {
    getByTokenHash: (h) => first(q<Author>(`SELECT ${AUTHOR_COLUMNS} FROM authors WHERE token_hash = $1`, [h])),
    get: (id) => first(q<Author>(`SELECT ${AUTHOR_COLUMNS} FROM authors WHERE id = $1`, [id])),
    ensure: async (h, at, ip) =>
      (await q<{ id: number }>(`INSERT INTO authors (token_hash, created_at, last_ip_hash) VALUES ($1, $2, $3)
        ON CONFLICT (token_hash) DO UPDATE SET last_ip_hash = COALESCE(EXCLUDED.last_ip_hash, authors.last_ip_hash) RETURNING id`, [h, at, ip]))[0].id,
    pruneIdle: (olderThan, limit) =>
      deleted(q, `DELETE FROM authors WHERE id IN (
          SELECT a.id FROM authors a WHERE a.published_count = 0 AND a.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.author_id = a.id)
            AND NOT EXISTS (SELECT 1 FROM reactions r WHERE r.author_id = a.id)
            AND NOT EXISTS (SELECT 1 FROM comment_reactions x WHERE x.author_id = a.id)
            AND NOT EXISTS (SELECT 1 FROM reports p WHERE p.author_id = a.id)
            AND NOT EXISTS (SELECT 1 FROM bans b WHERE b.author_id = a.id)
          ORDER BY a.created_at LIMIT $2)`, [olderThan, limit]),
  };
}

export function createPgModeratorsRepo(pool: pg.Pool, q: Q): ModeratorsRepo {
  type SessionRow = Moderator & { expiresAt: number } & LoginNotice;
  return {
    // Names are unique whatever their case (index on lower(username)), as SQLite's COLLATE NOCASE.
    getByUsername: (u) => first(q<Moderator>(`SELECT ${MOD_COLUMNS} FROM moderators WHERE lower(username) = lower($1)`, [u])),
    get: (id) => first(q<Moderator>(`SELECT ${MOD_COLUMNS} FROM moderators WHERE id = $1`, [id])),
    list: () => q<Moderator>(`SELECT ${MOD_COLUMNS} FROM moderators ORDER BY lower(username), id`),
    create: async (m) =>
      (await first(q<Moderator>(`INSERT INTO moderators (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING ${MOD_COLUMNS}`, [m.username, m.passwordHash, m.role, m.createdAt])))!,
    update: (id, u) =>
      first(q<Moderator>(`UPDATE moderators SET password_hash = COALESCE($2, password_hash), role = COALESCE($3, role),
        disabled = COALESCE($4, disabled) WHERE id = $1 RETURNING ${MOD_COLUMNS}`, [id, u.passwordHash ?? null, u.role ?? null, u.disabled ?? null])),
    countActiveAdmins: async () => (await q<{ n: number }>(`SELECT COUNT(*) AS n FROM moderators WHERE role = 'admin' AND NOT disabled`))[0].n,
    createSession: async (s) =>
      void (await q(`INSERT INTO moderator_sessions (token_hash, moderator_id, created_at, expires_at, failures_before, failure_networks)
        VALUES ($1, $2, $3, $4, $5, $6)`, [s.tokenHash, s.moderatorId, s.createdAt, s.expiresAt, s.notice?.failures ?? 0, s.notice?.networks ?? 0])),
    sessionModerator: async (h, now) => {
      const r = await first(q<SessionRow>(`SELECT m.id, m.username, m.password_hash AS "passwordHash", m.role, m.created_at AS "createdAt", m.disabled,
          s.expires_at AS "expiresAt", s.failures_before AS failures, s.failure_networks AS networks
        FROM moderator_sessions s JOIN moderators m ON m.id = s.moderator_id
        WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT m.disabled`, [h, now]));
      if (!r) return undefined;
      const { failures, networks, ...m } = r;
      return { ...m, notice: { failures, networks } };
    },
    deleteSession: async (h) => void (await q(`DELETE FROM moderator_sessions WHERE token_hash = $1`, [h])),
    deleteSessionsOf: (id) => deleted(q, `DELETE FROM moderator_sessions WHERE moderator_id = $1`, [id]),
    pruneSessions: async (now) => void (await q(`DELETE FROM moderator_sessions WHERE expires_at <= $1`, [now])),
    getFailure: (k) => first(q<LoginFailure>(`SELECT ${FAILURE_COLUMNS} FROM login_failures WHERE key = $1`, [k])),
    // One statement: concurrent failures on any node each count (the row lock orders them).
    countFailure: async (key, r) =>
      (await first(q<LoginFailure>(`INSERT INTO login_failures AS f (key, failures, first_at, locked_until)
        VALUES ($1, 1, $2::bigint, CASE WHEN 1 >= $4::bigint THEN $2::bigint + $5::bigint END)
        ON CONFLICT (key) DO UPDATE SET
          failures = CASE WHEN $2::bigint - f.first_at > $3::bigint THEN 1 ELSE f.failures + 1 END,
          first_at = CASE WHEN $2 - f.first_at > $3 THEN $2 ELSE f.first_at END,
          locked_until = CASE WHEN (CASE WHEN $2 - f.first_at > $3 THEN 1 ELSE f.failures + 1 END) >= $4
            THEN $2 + $5 ELSE f.locked_until END
        RETURNING ${FAILURE_COLUMNS}`, [key, r.now, r.windowMs, r.limit, r.lockMs])))!,
    clearFailure: async (k) => void (await q(`DELETE FROM login_failures WHERE key = $1`, [k])),
    pruneFailures: (now, windowMs) => deleted(q, `DELETE FROM login_failures WHERE first_at < $1::bigint - $2::bigint AND (locked_until IS NULL OR locked_until <= $1)`, [now, windowMs]),
    logFailure: async (id, ip, at) => void (await q(`INSERT INTO login_failure_log (moderator_id, ip_hash, created_at) VALUES ($1, $2, $3)`, [id, ip, at])),
    pruneFailureLog: (olderThan) => deleted(q, `DELETE FROM login_failure_log WHERE created_at < $1`, [olderThan]),
    recordLogin: (id, at) =>
      transaction(pool, async (t) => {
        const [n] = await t<LoginNotice>(`SELECT COUNT(*) AS failures, COUNT(DISTINCT ip_hash) AS networks FROM login_failure_log
          WHERE moderator_id = $1 AND created_at > COALESCE((SELECT last_login_at FROM moderators WHERE id = $1), 0)`, [id]);
        await t(`UPDATE moderators SET last_login_at = $1 WHERE id = $2`, [at, id]);
        return n;
      }),
  };
}
