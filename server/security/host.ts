// Owns the Host allow-list: with PUBLIC_URL / ALLOWED_HOSTS set, a request (or socket handshake) naming any
// other host is refused, so a DNS-rebound site cannot make its visitors' browsers post and like through us.
import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';

/** True when no allow-list is configured, or the Host header (name and port, any case) is on it. */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return host !== undefined && allowed.includes(host.trim().toLowerCase());
}

/** 421 Misdirected Request host_not_allowed for a Host that is not ours. */
export function hostGuard(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    if (hostAllowed(req.headers.host, allowed)) return next();
    next(new AppError('host_not_allowed', 421, msg('host_not_allowed')));
  };
}
