// Owns the rate limit on reads: GET and HEAD requests per network (RATE_GET), checked before any page or API
// work is done. Static assets are served earlier in the chain and are exempt; so are Socket.IO requests.
import type { RequestHandler } from 'express';
import type { ClientIp } from './client-ip';
import type { IpHasher } from './ip';
import { rateLimitedError, type RateLimiter } from './rate';

export function getRateLimit(limiter: RateLimiter, clientIp: ClientIp, ipHash: IpHasher): RequestHandler {
  return (req, _res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const ip = ipHash(clientIp(req));
    if (!ip) return next();
    const pass = (wait: number) => next(wait > 0 ? rateLimitedError(wait) : undefined);
    const wait = limiter.hit(`get:${ip}`);
    if (typeof wait === 'number') return pass(wait);
    wait.then(pass, (err: unknown) => next(err));
  };
}
