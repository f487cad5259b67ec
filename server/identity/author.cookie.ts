// Owns the accountless author identity: a random token in an httpOnly, SameSite=Lax cookie; only its hash is stored.
import crypto from 'node:crypto';

export const AUTHOR_COOKIE = 'yl_author';
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const ONE_YEAR_MS = 365 * 24 * 3_600_000;

export function newAuthorToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

/** Minimal RFC 6265 cookie header parsing; the first occurrence of a name wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

/** The author token from a Cookie header, if well formed. */
export function readAuthorToken(cookieHeader: string | undefined): string | null {
  const t = parseCookies(cookieHeader)[AUTHOR_COOKIE];
  return t && TOKEN_RE.test(t) ? t : null;
}

export function authorCookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', maxAge: ONE_YEAR_MS };
}
