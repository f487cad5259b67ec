// Owns moderator accounts and sessions: scrypt password hashes (rehashed at login when weaker than today's
// cost), login with a per-account slow-down and lockout per (account, network) and per network, the owner's
// notice of failures since the last login, session rotation at login, logout and logout-everywhere.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { hashToken } from '../identity/author.cookie';
import type { LoginNotice, Moderator, Role } from '../db/moderators.types';
import { newSessionToken } from './session.cookie';

const scrypt = promisify(crypto.scrypt) as (pw: crypto.BinaryLike, salt: crypto.BinaryLike, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's current minimum for scrypt (N=2^17, r=8, p=1): 128 MiB and a few hundred ms per hash. */
export const SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const MAX_LOG2_N = 20;

/** The cost this server hashes with: SCRYPT, or SCRYPT_LOG2_N from the config (tests lower it to stay fast). */
export function scryptParams(config: { scryptLog2N?: number }): ScryptParams {
  return config.scryptLog2N === undefined ? SCRYPT : { ...SCRYPT, N: 2 ** config.scryptLog2N };
}

// scrypt needs 128 * N * r bytes; Node refuses anything above maxmem, so leave it room.
const maxmemFor = (s: ScryptParams) => 2 * 128 * s.N * s.r * s.p + 1024 * 1024;

export const PASSWORD_MIN = 10;
/** Failures inside this window count towards a lock. */
const FAILURE_WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;
/** Failures of one account from one network that lock that pair (not the account everywhere). */
const ACCOUNT_NETWORK_LOCK_AFTER = 5;
const NETWORK_LOCK_AFTER = 20;
/** The per-account counter only slows: it never locks, so an attacker cannot lock the owner out. */
const NEVER = Number.MAX_SAFE_INTEGER;
const SLOW_STEP_MS = 250;
const SLOW_MAX_MS = 2000;

export async function hashPassword(password: string, params: ScryptParams = SCRYPT): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, 32, { ...params, maxmem: maxmemFor(params) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parseHash(stored: string): (ScryptParams & { salt: string; key: string }) | undefined {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !key) return undefined;
  if (![params.N, params.r, params.p].every(Number.isSafeInteger) || params.N > 2 ** MAX_LOG2_N || params.r > 32 || params.p > 16) return undefined;
  return { ...params, salt, key };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const expected = Buffer.from(h.key, 'base64url');
  const got = await scrypt(password.normalize('NFC'), Buffer.from(h.salt, 'base64url'), expected.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmemFor(h) });
  return crypto.timingSafeEqual(expected, got);
}

/** True when a stored hash is cheaper than what we hash with today (older parameters): rehash it at the next login. */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const h = parseHash(stored);
  return !h || h.N < params.N || h.r < params.r || h.p < params.p;
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
  return deps.store.moderators.create({ username, passwordHash: await hashPassword(password, scryptParams(deps.config)), role, createdAt: deps.now() });
}

/** ADMIN_USER / ADMIN_PASSWORD at start: creates the admin, or resets its password and role. */
export async function ensureAdmin(deps: Deps, username: string, password: string): Promise<Moderator> {
  const existing = await deps.store.moderators.getByUsername(username);
  if (!existing) return createModerator(deps, username, password, 'admin');
  validatePassword(password);
  const same = await verifyPassword(password, existing.passwordHash);
  const rehash = !same || needsRehash(existing.passwordHash, scryptParams(deps.config));
  const updated = (await deps.store.moderators.update(existing.id, { passwordHash: rehash ? await hashPassword(password, scryptParams(deps.config)) : undefined, role: 'admin', disabled: false }))!;
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

/**
 * Counts a failure on every key; answers the highest count and, when an attempt arrived after a key had
 * already reached its limit (guesses racing past the lock check, e.g. on several nodes), when that lock ends.
 */
async function recordFailure(deps: Deps, keys: Lock[]): Promise<{ worst: number; lockedUntil: number }> {
  let worst = 0;
  let lockedUntil = 0;
  for (const { key, limit } of keys) {
    const f = await deps.store.moderators.countFailure(key, { now: deps.now(), windowMs: FAILURE_WINDOW_MS, limit, lockMs: LOCK_MS });
    worst = Math.max(worst, f.failures);
    if (f.failures > limit && f.lockedUntil) lockedUntil = Math.max(lockedUntil, f.lockedUntil);
  }
  return { worst, lockedUntil };
}

function lockedError(deps: Deps, until: number): AppError {
  const wait = Math.ceil((until - deps.now()) / 1000);
  return new AppError('login_locked', 429, msg('login_locked', { minutes: Math.ceil(wait / 60) }), { retryAfter: wait }, { 'Retry-After': String(wait) });
}

export interface LoginResult {
  moderator: Moderator;
  token: string;
  expiresAt: number;
  /** Failed logins of this account since its previous login, for the owner to see. */
  notice: LoginNotice;
}

/**
 * Verifies a login. Three counters, each over a 15-minute window:
 * - per (account, network): 5 failures lock that pair for 15 minutes, even with the right password;
 * - per network: 20 failures across accounts lock the network for 15 minutes;
 * - per account, from anywhere: never locks (an attacker must not be able to lock the owner out), but every
 *   attempt on the account waits 250 ms per earlier failure, at most 2 s.
 * Failures of an existing account are also logged, and its owner is told at the next login how many
 * there were and from how many networks.
 */
export async function login(deps: Deps, username: string, password: string, ipHash: string, opts: { slowMs?: number } = {}): Promise<LoginResult> {
  const name = username.toLowerCase();
  const account: Lock = { key: `user:${name}`, limit: NEVER };
  const keys: Lock[] = [
    { key: `user:${name}|ip:${ipHash}`, limit: ACCOUNT_NETWORK_LOCK_AFTER },
    { key: `ip:${ipHash}`, limit: NETWORK_LOCK_AFTER },
  ];
  const locked = await lockedFor(deps, keys);
  if (locked) throw lockedError(deps, locked);
  // Counted as a failure before the (slow) hash check and cleared on success, so that guesses sent all
  // at once cannot each pass the lock check before any of them has been counted: the count each one
  // gets back decides (one atomic write per key, on any store and any node).
  const counted = await recordFailure(deps, keys);
  if (counted.lockedUntil) throw lockedError(deps, counted.lockedUntil);
  const accountFailures = (await recordFailure(deps, [account])).worst;
  const slow = Math.min(SLOW_MAX_MS, (opts.slowMs ?? SLOW_STEP_MS) * (accountFailures - 1));
  // unref: the waiting request holds the process open anyway; a test run ending mid-delay need not wait.
  if (slow > 0) await new Promise((r) => setTimeout(r, slow).unref());
  const m = await deps.store.moderators.getByUsername(username);
  decoyHash ??= hashPassword(crypto.randomBytes(12).toString('hex'), scryptParams(deps.config));
  const ok = m ? await verifyPassword(password, m.passwordHash) : (await verifyPassword(password, await decoyHash), false);
  if (!m || !ok || m.disabled) {
    if (m) await deps.store.moderators.logFailure(m.id, ipHash, deps.now());
    deps.log.warn('login failed', { username: username.slice(0, 32), failures: accountFailures });
    throw new AppError('invalid_credentials', 401, msg('invalid_credentials'));
  }
  // The account counter is left to expire: the owner signing in does not reset an attack's slow-down.
  for (const { key } of keys) await deps.store.moderators.clearFailure(key);
  if (needsRehash(m.passwordHash, scryptParams(deps.config))) {
    await deps.store.moderators.update(m.id, { passwordHash: await hashPassword(password, scryptParams(deps.config)) });
    deps.log.info('password rehashed', { moderator: m.username });
  }
  const notice = await deps.store.moderators.recordLogin(m.id, deps.now());
  return startSession(deps, m, notice);
}

/** A new random session per login (rotation): whatever token the browser held before is never reused. */
export async function startSession(deps: Deps, m: Moderator, notice: LoginNotice = { failures: 0, networks: 0 }): Promise<LoginResult> {
  const token = newSessionToken();
  const now = deps.now();
  const expiresAt = now + deps.config.sessionTtlMs;
  await deps.store.moderators.pruneSessions(now);
  await deps.store.moderators.createSession({ tokenHash: hashToken(token), moderatorId: m.id, createdAt: now, expiresAt, notice });
  deps.log.info('moderator login', { moderator: m.username, failuresSinceLast: notice.failures });
  return { moderator: m, token, expiresAt, notice };
}

export async function sessionModerator(deps: Deps, token: string | null): Promise<(Moderator & { expiresAt: number; notice: LoginNotice }) | undefined> {
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
  await deps.store.moderators.update(m.id, { passwordHash: await hashPassword(next, scryptParams(deps.config)) });
  await deps.store.moderators.deleteSessionsOf(m.id);
}
