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

function judgeAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  const o = originOf(origin);
  if (o === null) return false;
  if (allowed.includes(o)) return true;
  return host !== undefined && new URL(o).host === host.toLowerCase();
}

/** Verdicts remembered per allow-list (a config's, fixed for the process), for the few origins a site sees. */
const verdicts = new WeakMap<readonly string[], Map<string, boolean>>();
const VERDICTS_KEPT = 1000;

/**
 * Own origin = same host as the Host header (any scheme, for TLS-terminating proxies), or listed in ALLOWED_ORIGINS.
 * Remembered per (origin, host): two URL parses per handshake were a visible share of a reconnect storm.
 */
export function isAllowedOrigin(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin.length > 300) return judgeAllowed(origin, host, allowed);
  let known = verdicts.get(allowed);
  if (!known) verdicts.set(allowed, (known = new Map()));
  const key = `${origin}\n${host ?? ''}`;
  let ok = known.get(key);
  if (ok === undefined) {
    ok = judgeAllowed(origin, host, allowed);
    // Referers carry whole paths: a full table is emptied rather than grown (a flood of distinct ones); at most ~300 KB.
    if (known.size >= VERDICTS_KEPT) known.clear();
    known.set(key, ok);
  }
  return ok;
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
