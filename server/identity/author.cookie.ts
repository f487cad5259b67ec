// Owns the accountless author identity: a random token in an httpOnly, SameSite=Lax cookie; only its hash is stored.
import crypto from 'node:crypto';

export const AUTHOR_COOKIE = 'yl_author';
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const ONE_YEAR_MS = 365 * 24 * 3_600_000;

/** Tokens' worth of randomness fetched at once: one getrandom call per 128 first-time posts, not one per post. */
const POOL_TOKENS = 128;
const TOKEN_BYTES = 32;
const pool = { bytes: Buffer.alloc(0), at: 0 };

/**
 * A fresh 256-bit token from the same CSPRNG, drawn from a pool (as crypto.randomUUID does): each byte is used
 * once and overwritten with zeros once taken, so a token never outlives its own request in the pool.
 */
export function newAuthorToken(): string {
  if (pool.at + TOKEN_BYTES > pool.bytes.length) {
    pool.bytes = crypto.randomBytes(TOKEN_BYTES * POOL_TOKENS);
    pool.at = 0;
  }
  const slice = pool.bytes.subarray(pool.at, pool.at + TOKEN_BYTES);
  pool.at += TOKEN_BYTES;
  const token = slice.toString('base64url');
  slice.fill(0);
  return token;
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
