// Owns the moderator session cookie: a random token, HMAC-signed, httpOnly, SameSite=Strict; only its hash is stored.
import crypto from 'node:crypto';
import { parseCookies } from '../identity/author.cookie';

export const SESSION_COOKIE = 'yl_mod';

export function newSessionToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function signToken(token: string, secret: string): string {
  return `${token}.${crypto.createHmac('sha256', secret).update(token).digest('base64url')}`;
}

/** The token if the signature holds, else null. Constant-time comparison. */
export function unsignToken(value: string, secret: string): string | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const token = value.slice(0, dot);
  const expected = Buffer.from(signToken(token, secret));
  const given = Buffer.from(value);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? token : null;
}

export function readSessionToken(cookieHeader: string | undefined, secret: string): string | null {
  const v = parseCookies(cookieHeader)[SESSION_COOKIE];
  return v ? unsignToken(v, secret) : null;
}

export function sessionCookieOptions(secure: boolean, maxAgeMs: number) {
  return { httpOnly: true, sameSite: 'strict' as const, secure, path: '/', maxAge: maxAgeMs };
}
