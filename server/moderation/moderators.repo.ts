// Owns the SQL for moderator accounts, their sessions and login-failure throttling (SQLite).
import type { Db } from '../db/open';
import type { Write } from '../db/write-batch';
import type { LoginFailure, LoginNotice, Moderator, ModeratorsRepo, Role } from '../db/moderators.types';

export type { LoginFailure, LoginNotice, Moderator, ModeratorsRepo, Role };

const COLUMNS = `id, username, password_hash AS passwordHash, role, created_at AS createdAt, disabled`;
type Row = Omit<Moderator, 'disabled'> & { disabled: number };
const toModerator = <T extends Row>(r: T | undefined) => (r ? { ...r, disabled: r.disabled === 1 } : undefined);

export function createModeratorsRepo(db: Db, write: Write): ModeratorsRepo {
  const byName = db.prepare(`SELECT ${COLUMNS} FROM moderators WHERE username = ?`);
  const byId = db.prepare(`SELECT ${COLUMNS} FROM moderators WHERE id = ?`);
  const list = db.prepare(`SELECT ${COLUMNS} FROM moderators ORDER BY username`);
  const insert = db.prepare(`INSERT INTO moderators (username, password_hash, role, created_at) VALUES (@username, @passwordHash, @role, @createdAt) RETURNING ${COLUMNS}`);
  const update = db.prepare(`UPDATE moderators SET password_hash = COALESCE(@passwordHash, password_hash),
      role = COALESCE(@role, role), disabled = COALESCE(@disabled, disabled) WHERE id = @id RETURNING ${COLUMNS}`);
  const admins = db.prepare(`SELECT COUNT(*) FROM moderators WHERE role = 'admin' AND disabled = 0`).pluck();
  const insertSession = db.prepare(`INSERT INTO moderator_sessions (token_hash, moderator_id, created_at, expires_at, failures_before, failure_networks)
    VALUES (@tokenHash, @moderatorId, @createdAt, @expiresAt, @failures, @networks)`);
  const session = db.prepare(`SELECT m.id, m.username, m.password_hash AS passwordHash, m.role, m.created_at AS createdAt, m.disabled, s.expires_at AS expiresAt,
      s.failures_before AS failures, s.failure_networks AS networks
    FROM moderator_sessions s JOIN moderators m ON m.id = s.moderator_id
    WHERE s.token_hash = ? AND s.expires_at > ? AND m.disabled = 0`);
  const deleteSession = db.prepare(`DELETE FROM moderator_sessions WHERE token_hash = ?`);
  const deleteSessionsOf = db.prepare(`DELETE FROM moderator_sessions WHERE moderator_id = ?`);
  const prune = db.prepare(`DELETE FROM moderator_sessions WHERE expires_at <= ?`);
  const getFailure = db.prepare(`SELECT key, failures, first_at AS firstAt, locked_until AS lockedUntil FROM login_failures WHERE key = ?`);
  // In DO UPDATE, bare column names are the stored row's values before this update.
  const countFailure = db.prepare(`INSERT INTO login_failures (key, failures, first_at, locked_until)
    VALUES (@key, 1, @now, CASE WHEN 1 >= @limit THEN @now + @lockMs END)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN @now - first_at > @windowMs THEN 1 ELSE failures + 1 END,
      first_at = CASE WHEN @now - first_at > @windowMs THEN @now ELSE first_at END,
      locked_until = CASE WHEN (CASE WHEN @now - first_at > @windowMs THEN 1 ELSE failures + 1 END) >= @limit
        THEN @now + @lockMs ELSE locked_until END
    RETURNING key, failures, first_at AS firstAt, locked_until AS lockedUntil`);
  const clearFailure = db.prepare(`DELETE FROM login_failures WHERE key = ?`);
  const pruneFailures = db.prepare(`DELETE FROM login_failures WHERE first_at < @now - @windowMs AND (locked_until IS NULL OR locked_until <= @now)`);
  const logFailure = db.prepare(`INSERT INTO login_failure_log (moderator_id, ip_hash, created_at) VALUES (?, ?, ?)`);
  const pruneFailureLog = db.prepare(`DELETE FROM login_failure_log WHERE created_at < ?`);
  const failuresSince = db.prepare(`SELECT COUNT(*) AS failures, COUNT(DISTINCT ip_hash) AS networks FROM login_failure_log
    WHERE moderator_id = ? AND created_at > COALESCE((SELECT last_login_at FROM moderators WHERE id = ?), 0)`);
  const markLogin = db.prepare(`UPDATE moderators SET last_login_at = ? WHERE id = ?`);
  const recordLogin = db.transaction((id: number, at: number): LoginNotice => {
    const n = failuresSince.get(id, id) as LoginNotice;
    markLogin.run(at, id);
    return n;
  });
  type SessionRow = Row & { expiresAt: number } & LoginNotice;

  return {
    getByUsername: async (u) => toModerator(byName.get(u) as Row | undefined),
    get: async (id) => toModerator(byId.get(id) as Row | undefined),
    list: async () => (list.all() as Row[]).map((r) => toModerator(r)!),
    create: (m) => write(() => toModerator(insert.get(m) as Row)!),
    update: (id, u) =>
      write(() =>
        toModerator(update.get({ id, passwordHash: u.passwordHash ?? null, role: u.role ?? null, disabled: u.disabled === undefined ? null : u.disabled ? 1 : 0 }) as Row | undefined),
      ),
    countActiveAdmins: async () => admins.get() as number,
    createSession: (s) =>
      write(() => void insertSession.run({ tokenHash: s.tokenHash, moderatorId: s.moderatorId, createdAt: s.createdAt, expiresAt: s.expiresAt, failures: s.notice?.failures ?? 0, networks: s.notice?.networks ?? 0 })),
    sessionModerator: async (h, now) => {
      const r = session.get(h, now) as SessionRow | undefined;
      if (!r) return undefined;
      const { failures, networks, ...m } = r;
      return { ...m, disabled: m.disabled === 1, notice: { failures, networks } };
    },
    deleteSession: (h) => write(() => void deleteSession.run(h)),
    deleteSessionsOf: (id) => write(() => deleteSessionsOf.run(id).changes),
    pruneSessions: (now) => write(() => void prune.run(now)),
    getFailure: async (k) => getFailure.get(k) as LoginFailure | undefined,
    countFailure: (key, r) => write(() => countFailure.get({ key, ...r }) as LoginFailure),
    clearFailure: (k) => write(() => void clearFailure.run(k)),
    pruneFailures: (now, windowMs) => write(() => pruneFailures.run({ now, windowMs }).changes),
    logFailure: (id, ip, at) => write(() => void logFailure.run(id, ip, at)),
    pruneFailureLog: (olderThan) => write(() => pruneFailureLog.run(olderThan).changes),
    recordLogin: (id, at) => write(() => recordLogin(id, at)),
  };
}
