// Owns the SQL for moderator accounts, their sessions and login-failure throttling (SQLite).
import type { Db } from '../db/open';
import type { Write } from '../db/write-batch';
import type { Role } from '../../contracts/moderation';

export type { Role };

export interface Moderator {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

export interface LoginFailure {
  key: string;
  failures: number;
  firstAt: number;
  lockedUntil: number | null;
}

export interface ModeratorsRepo {
  getByUsername(username: string): Promise<Moderator | undefined>;
  get(id: number): Promise<Moderator | undefined>;
  list(): Promise<Moderator[]>;
  create(m: { username: string; passwordHash: string; role: Role; createdAt: number }): Promise<Moderator>;
  update(id: number, u: { passwordHash?: string; role?: Role; disabled?: boolean }): Promise<Moderator | undefined>;
  countActiveAdmins(): Promise<number>;
  createSession(s: { tokenHash: string; moderatorId: number; createdAt: number; expiresAt: number }): Promise<void>;
  /** The live session's moderator, or undefined when missing, expired or the account is disabled. */
  sessionModerator(tokenHash: string, now: number): Promise<(Moderator & { expiresAt: number }) | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessionsOf(moderatorId: number): Promise<number>;
  pruneSessions(now: number): Promise<void>;
  getFailure(key: string): Promise<LoginFailure | undefined>;
  /**
   * Counts one failure for key in a single write (no read-then-write race between concurrent logins):
   * a failure older than windowMs starts the count over; reaching limit locks the key for lockMs.
   */
  countFailure(key: string, r: { now: number; windowMs: number; limit: number; lockMs: number }): Promise<LoginFailure>;
  clearFailure(key: string): Promise<void>;
}

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
  const insertSession = db.prepare(`INSERT INTO moderator_sessions (token_hash, moderator_id, created_at, expires_at) VALUES (@tokenHash, @moderatorId, @createdAt, @expiresAt)`);
  const session = db.prepare(`SELECT m.id, m.username, m.password_hash AS passwordHash, m.role, m.created_at AS createdAt, m.disabled, s.expires_at AS expiresAt
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
    createSession: (s) => write(() => void insertSession.run(s)),
    sessionModerator: async (h, now) => toModerator(session.get(h, now) as (Row & { expiresAt: number }) | undefined),
    deleteSession: (h) => write(() => void deleteSession.run(h)),
    deleteSessionsOf: (id) => write(() => deleteSessionsOf.run(id).changes),
    pruneSessions: (now) => write(() => void prune.run(now)),
    getFailure: async (k) => getFailure.get(k) as LoginFailure | undefined,
    countFailure: (key, r) => write(() => countFailure.get({ key, ...r }) as LoginFailure),
    clearFailure: (k) => write(() => void clearFailure.run(k)),
  };
}
