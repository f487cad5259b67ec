// Owns moderator accounts and sessions: scrypt password hashes, login with slowing and lockout per
// account and per network, session rotation at login, logout and logout-everywhere.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { hashToken } from '../identity/author.cookie';
import type { Moderator, Role } from './moderators.repo';
import { newSessionToken } from './session.cookie';

const scrypt = promisify(crypto.scrypt) as (pw: crypto.BinaryLike, salt: crypto.BinaryLike, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export const PASSWORD_MIN = 10;
/** Failures inside this window count towards a lock. */
const FAILURE_WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;
const ACCOUNT_LOCK_AFTER = 5;
const NETWORK_LOCK_AFTER = 20;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const got = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return crypto.timingSafeEqual(expected, got);
}

// A hash to verify against when the account does not exist, so timing does not reveal which names exist.
let decoyHash: Promise<string> | undefined;

export function validatePassword(pw: string): void {
  if ([...pw].length < PASSWORD_MIN) throw new AppError('weak_password', 422, msg('weak_password', { min: PASSWORD_MIN }));
}

export function validateUsername(name: string): void {
  if (!/^[\p{L}\p{N}_.-]{2,32}$/u.test(name)) throw new AppError('invalid_input', 400, msg('invalid_username'), [{ field: 'username', message: msg('field_format_invalid') }]);
}

export async function createModerator(deps: Deps, username: string, password: string, role: Role): Promise<Moderator> {
  validateUsername(username);
  validatePassword(password);
  if (await deps.store.moderators.getByUsername(username)) throw new AppError('username_taken', 409, msg('username_taken'));
  return deps.store.moderators.create({ username, passwordHash: await hashPassword(password), role, createdAt: deps.now() });
}

/** ADMIN_USER / ADMIN_PASSWORD at start: creates the admin, or resets its password and role. */
export async function ensureAdmin(deps: Deps, username: string, password: string): Promise<Moderator> {
  const existing = await deps.store.moderators.getByUsername(username);
  if (!existing) return createModerator(deps, username, password, 'admin');
  validatePassword(password);
  const same = await verifyPassword(password, existing.passwordHash);
  const updated = (await deps.store.moderators.update(existing.id, { passwordHash: same ? undefined : await hashPassword(password), role: 'admin', disabled: false }))!;
  // A reset password (say, after a leak) must also end whatever sessions the old one opened.
  if (!same) await deps.store.moderators.deleteSessionsOf(existing.id);
  return updated;
}

interface Lock {
  key: string;
  limit: number;
}

async function lockedFor(deps: Deps, keys: Lock[]): Promise<number> {
  const now = deps.now();
  let until = 0;
  for (const { key } of keys) {
    const f = await deps.store.moderators.getFailure(key);
    if (f?.lockedUntil && f.lockedUntil > now) until = Math.max(until, f.lockedUntil);
  }
  return until;
}

async function recordFailure(deps: Deps, keys: Lock[]): Promise<number> {
  let worst = 0;
  for (const { key, limit } of keys) {
    const f = await deps.store.moderators.countFailure(key, { now: deps.now(), windowMs: FAILURE_WINDOW_MS, limit, lockMs: LOCK_MS });
    worst = Math.max(worst, f.failures);
  }
  return worst;
}

export interface LoginResult {
  moderator: Moderator;
  token: string;
  expiresAt: number;
}

/**
 * Verifies a login. Each failure is answered more slowly (up to ~2 s); five failures for an account,
 * or twenty from one network, within 15 minutes lock it for 15 minutes, even with the right password.
 */
export async function login(deps: Deps, username: string, password: string, ipHash: string, opts: { slowMs?: number } = {}): Promise<LoginResult> {
  const keys: Lock[] = [
    { key: `user:${username.toLowerCase()}`, limit: ACCOUNT_LOCK_AFTER },
    { key: `ip:${ipHash}`, limit: NETWORK_LOCK_AFTER },
  ];
  const locked = await lockedFor(deps, keys);
  if (locked) {
    const wait = Math.ceil((locked - deps.now()) / 1000);
    throw new AppError('login_locked', 429, msg('login_locked', { minutes: Math.ceil(wait / 60) }), { retryAfter: wait }, { 'Retry-After': String(wait) });
  }
  // Counted as a failure before the (slow) hash check and cleared on success, so that guesses sent all
  // at once cannot each pass the lock check before any of them has been counted.
  const failures = await recordFailure(deps, keys);
  const m = await deps.store.moderators.getByUsername(username);
  decoyHash ??= hashPassword(crypto.randomBytes(12).toString('hex'));
  const ok = m ? await verifyPassword(password, m.passwordHash) : (await verifyPassword(password, await decoyHash), false);
  if (!m || !ok || m.disabled) {
    const slow = Math.min(2000, (opts.slowMs ?? 250) * failures);
    if (slow > 0) await new Promise((r) => setTimeout(r, slow));
    deps.log.warn('login failed', { username: username.slice(0, 32), failures });
    throw new AppError('invalid_credentials', 401, msg('invalid_credentials'));
  }
  for (const { key } of keys) await deps.store.moderators.clearFailure(key);
  return startSession(deps, m);
}

/** A new random session per login (rotation): whatever token the browser held before is never reused. */
export async function startSession(deps: Deps, m: Moderator): Promise<LoginResult> {
  const token = newSessionToken();
  const now = deps.now();
  const expiresAt = now + deps.config.sessionTtlMs;
  await deps.store.moderators.pruneSessions(now);
  await deps.store.moderators.createSession({ tokenHash: hashToken(token), moderatorId: m.id, createdAt: now, expiresAt });
  deps.log.info('moderator login', { moderator: m.username });
  return { moderator: m, token, expiresAt };
}

export async function sessionModerator(deps: Deps, token: string | null): Promise<(Moderator & { expiresAt: number }) | undefined> {
  if (!token) return undefined;
  return deps.store.moderators.sessionModerator(hashToken(token), deps.now());
}

/** Ends one session; the sockets it opened are disconnected too, so they stop hearing queue events. */
export async function logout(deps: Deps, token: string): Promise<void> {
  const m = await sessionModerator(deps, token);
  await deps.store.moderators.deleteSession(hashToken(token));
  if (m) deps.publish({ type: 'moderator.signed_out', moderatorId: m.id, tokenHash: hashToken(token) });
}

export async function changePassword(deps: Deps, m: Moderator, current: string, next: string): Promise<void> {
  if (!(await verifyPassword(current, m.passwordHash))) throw new AppError('invalid_credentials', 401, msg('wrong_current_password'));
  validatePassword(next);
  await deps.store.moderators.update(m.id, { passwordHash: await hashPassword(next) });
  await deps.store.moderators.deleteSessionsOf(m.id);
}
