// Owns rate limiting: the async RateLimiter every transport uses, and its one-node implementation, an
// in-memory sliding-window counter per key (two fixed windows, weighted), with memory bounded by sweeping
// idle keys and evicting the least recently used. Over the limit: how long to wait. The shared (Redis)
// implementation is in rate.redis.ts.
import type { RateLimit } from '../config';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';

/** What every route and socket handler uses; in memory on one node, in Redis across several. */
export interface RateLimiter {
  /** Counts one attempt for key; resolves 0 when allowed, else the seconds to wait. */
  hit(key: string): Promise<number>;
  reset(key: string): Promise<void>;
  readonly limit: RateLimit;
}

/** The in-memory window: synchronous, per process. */
export interface WindowLimiter {
  /** Counts one attempt for key; returns 0 when allowed, else the seconds to wait. */
  hit(key: string): number;
  /** Forgets a key (e.g. after a successful login). */
  reset(key: string): void;
  readonly limit: RateLimit;
  /** Keys currently tracked (bounded by maxKeys). */
  readonly size: number;
}

interface Bucket {
  windowStart: number;
  current: number;
  previous: number;
}

export function createRateLimiter(limit: RateLimit, now: () => number = Date.now, maxKeys = 100_000): WindowLimiter {
  // Map order doubles as least-recently-used order: every hit moves its key to the end.
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();
  const sweep = (t: number) => {
    if (t - lastSweep >= limit.windowMs) {
      lastSweep = t;
      for (const [k, b] of buckets) if (t - b.windowStart >= 2 * limit.windowMs) buckets.delete(k);
    }
    // A flood of distinct keys (fresh tokens, socket ids) must not grow memory without bound: forget the
    // least recently used tenth. Keys that keep hitting, like a flooding network's, stay at the end.
    if (buckets.size >= maxKeys) {
      let drop = Math.ceil(maxKeys / 10);
      for (const k of buckets.keys()) {
        if (drop-- <= 0) break;
        buckets.delete(k);
      }
    }
  };
  return {
    limit,
    get size() {
      return buckets.size;
    },
    hit(key) {
      const t = now();
      sweep(t);
      let b = buckets.get(key);
      if (b) buckets.delete(key);
      else b = { windowStart: t - (t % limit.windowMs), current: 0, previous: 0 };
      buckets.set(key, b);
      const start = t - (t % limit.windowMs);
      if (start !== b.windowStart) {
        b.previous = start - b.windowStart === limit.windowMs ? b.current : 0;
        b.current = 0;
        b.windowStart = start;
      }
      const weight = 1 - (t - start) / limit.windowMs;
      const estimate = b.previous * weight + b.current;
      if (estimate + 1 > limit.limit) {
        // Time until the weighted count drops below the limit again, at most one window.
        const wait = b.previous > 0 && b.current < limit.limit ? ((estimate + 1 - limit.limit) / b.previous) * limit.windowMs : start + limit.windowMs - t;
        return Math.max(1, Math.ceil(Math.min(wait, limit.windowMs) / 1000));
      }
      b.current++;
      return 0;
    },
    reset(key) {
      buckets.delete(key);
    },
  };
}

export function rateLimitedError(seconds: number): AppError {
  return new AppError('rate_limited', 429, msg('rate_limited', { seconds }), { retryAfter: seconds }, { 'Retry-After': String(seconds) });
}

/** The one-node RateLimiter: the in-memory window behind the async interface. */
export function memoryRateLimiter(window: WindowLimiter): RateLimiter {
  return {
    limit: window.limit,
    hit: async (key) => window.hit(key),
    reset: async (key) => window.reset(key),
  };
}

/** Hits every (limiter, key) pair; throws 429 with the longest wait if any is over. Every key counts: none is skipped. */
export async function enforce(...checks: [RateLimiter, string][]): Promise<void> {
  const waits = await Promise.all(checks.map(([l, k]) => l.hit(k)));
  const wait = Math.max(0, ...waits);
  if (wait > 0) throw rateLimitedError(wait);
}

export type LimiterName = 'get' | 'postAttempt' | 'edit' | 'like' | 'report' | 'login' | 'socketConnect' | 'socketEvents' | 'join' | 'joinPerIp';
export type Limiters = Record<LimiterName, RateLimiter>;
