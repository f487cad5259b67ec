// Owns "did this come from our own pages?": the Origin/Referer check behind CSRF refusal on cookie-bearing
// writes and behind Socket.IO's handshake check.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { AUTHOR_COOKIE, parseCookies } from '../identity/author.cookie';
import { SESSION_COOKIE } from '../moderation/session.cookie';
import { parseHttpUrl } from '../http/url';

const originOf = (url: string): string | null => parseHttpUrl(url)?.origin ?? null;

/** Own origin = same host as the Host header (any scheme, for TLS-terminating proxies), or listed in ALLOWED_ORIGINS. */
export function isAllowedOrigin(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  const o = originOf(origin);
  if (o === null) return false;
  if (allowed.includes(o)) return true;
  return host !== undefined && new URL(o).host === host.toLowerCase();
}

export type OriginVerdict = 'same' | 'foreign' | 'unknown';

/** Judges a request by Sec-Fetch-Site, Origin, then Referer. 'unknown' = no browser signal at all. */
export function judgeOrigin(headers: IncomingHttpHeaders, allowed: readonly string[]): OriginVerdict {
  const host = headers.host;
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== '') return isAllowedOrigin(origin, host, allowed) ? 'same' : 'foreign';
  if (headers['sec-fetch-site'] === 'cross-site') return 'foreign';
  const referer = headers.referer;
  if (typeof referer === 'string' && referer !== '') return isAllowedOrigin(referer, host, allowed) ? 'same' : 'foreign';
  return 'unknown';
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF refusal: a state-changing request from a foreign origin is refused; so is one that carries our
 * cookies (author or moderator session) with no Origin or Referer at all, since nothing vouches for it.
 * Cookie-less API clients (curl, scripts) have no ambient authority to forge and pass.
 */
export function csrfGuard(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (!UNSAFE.has(req.method)) return next();
    const verdict = judgeOrigin(req.headers, allowed);
    if (verdict === 'same') return next();
    const cookies = parseCookies(req.headers.cookie);
    const hasCookie = AUTHOR_COOKIE in cookies || SESSION_COOKIE in cookies;
    if (verdict === 'foreign' || hasCookie) {
      return next(new AppError('csrf_rejected', 403, msg('csrf_rejected')));
    }
    next();
  };
}
