// Owns the moderator-account storage types and the ModeratorsRepo interface (accounts, sessions, login failures).
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

/** Failed logins of an account between its previous login and this one (shown once per session in the console). */
export interface LoginNotice {
  failures: number;
  networks: number;
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
  createSession(s: { tokenHash: string; moderatorId: number; createdAt: number; expiresAt: number; notice?: LoginNotice }): Promise<void>;
  /** The live session's moderator, or undefined when missing, expired or the account is disabled. */
  sessionModerator(tokenHash: string, now: number): Promise<(Moderator & { expiresAt: number; notice: LoginNotice }) | undefined>;
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
  /** Deletes lock counters whose window started before now - windowMs and whose lock (if any) is over. */
  pruneFailures(now: number, windowMs: number): Promise<number>;
  /** Remembers a failed login of an existing account, for its owner's next login. */
  logFailure(moderatorId: number, ipHash: string | null, at: number): Promise<void>;
  pruneFailureLog(olderThan: number): Promise<number>;
  /** Marks a successful login at `at` and answers the failures logged since the previous one. */
  recordLogin(moderatorId: number, at: number): Promise<LoginNotice>;
}
