// Owns who acts in an embed: the author token sent as a bearer credential (never a cookie: third-party
// cookies are blocked), or a site's signed-in user (SSO: an HS256 JWT signed with the site's secret).
import type { IncomingHttpHeaders } from 'node:http';
import type { Site, Store } from '../db/store';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { resolveActor, type TokenActor } from '../identity/actor';
import { hashToken, newAuthorToken } from '../identity/author.cookie';
import { normalizeName } from '../comments/comments.schema';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
/** A compact JWS, bounded before any parsing. */
const JWT_RE = /^[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,4000}\.[A-Za-z0-9_-]{1,200}$/;
export const SSO_HEADER = 'yilun-sso';

export interface SsoUser {
  sub: string;
  name: string;
  avatar: string | null;
}

export interface EmbedIdentity {
  actor: TokenActor;
  /** Minted for a reader without one: handed back (in the body) only once their action succeeded. */
  freshToken: string | null;
  sso: SsoUser | null;
}

/** The author token of `Authorization: Bearer …`; null when absent; 401 invalid_token when malformed. */
export function readBearer(value: unknown): string | null {
  if (value === undefined || value === '') return null;
  const m = typeof value === 'string' ? /^Bearer ([^\s]+)$/.exec(value) : null;
  if (!m || !TOKEN_RE.test(m[1])) throw new AppError('invalid_token', 401, msg('invalid_token'));
  return m[1];
}

/** Verifies a site's SSO token: HS256 with its secret, `sub`, `name`, `exp` required, avatar https only. */
export async function verifySso(site: Site, token: unknown, now: number): Promise<SsoUser> {
  if (!site.ssoSecret || typeof token !== 'string' || !JWT_RE.test(token)) throw new AppError('sso_invalid', 401, msg('sso_invalid'));
  // jose ships ES modules only: loaded on first use (Node's require(esm)).
  const { jwtVerify, errors } = await import('jose');
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(site.ssoSecret), {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp'],
      currentDate: new Date(now),
    });
    const name = typeof payload.name === 'string' ? Array.from(normalizeName(payload.name)).slice(0, 40).join('') : '';
    const sub = String(payload.sub);
    if (!name || sub.length > 200) throw new AppError('sso_invalid', 401, msg('sso_invalid'));
    const avatar = typeof payload.avatar === 'string' && /^https:\/\/[^\s"'<>]{1,500}$/.test(payload.avatar) ? payload.avatar : null;
    return { sub, name, avatar };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof errors.JWTExpired) throw new AppError('sso_expired', 401, msg('sso_expired'));
    throw new AppError('sso_invalid', 401, msg('sso_invalid'));
  }
}

/** The author behind an SSO user: keyed by site and sub, the same on every device. */
export const ssoTokenHash = (siteId: number, sub: string) => hashToken(`sso:${siteId}:${sub}`);

/**
 * The acting reader of an embed request or socket. An SSO token, when sent, must verify; a site that
 * requires SSO refuses writes without one (`write`), with its login link.
 */
export async function embedIdentity(
  store: Store,
  site: Site,
  creds: { bearer: unknown; sso: unknown },
  ipHash: string,
  now: number,
  write: boolean,
): Promise<EmbedIdentity> {
  if (creds.sso !== undefined && creds.sso !== '') {
    const sso = await verifySso(site, creds.sso, now);
    return { actor: await resolveActor(store, ssoTokenHash(site.id, sso.sub), ipHash), freshToken: null, sso };
  }
  if (write && site.ssoRequired) throw new AppError('sso_required', 401, msg('sso_required'), { loginUrl: site.loginUrl });
  const token = readBearer(creds.bearer);
  if (token) return { actor: await resolveActor(store, hashToken(token), ipHash), freshToken: null, sso: null };
  const fresh = newAuthorToken();
  return { actor: { authorId: null, tokenHash: hashToken(fresh), ipHash }, freshToken: fresh, sso: null };
}

export const httpCreds = (h: IncomingHttpHeaders) => ({ bearer: h.authorization, sso: h[SSO_HEADER] });
