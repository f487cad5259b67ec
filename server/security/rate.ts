// Owns rate limiting: the async RateLimiter every transport uses, and its one-node implementation, an
// in-memory sliding-window counter per key (two fixed windows, weighted), with memory bounded by sweeping
// idle keys and evicting the least recently used. Over the limit: how long to wait. The shared (Redis)
// implementation is in rate.redis.ts.
import type { RateLimit } from '../config';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';

/** What every route and socket handler uses; in memory on one node, in Redis across several. */
export interface RateLimiter {
  /**
   * Counts one attempt for key: 0 when allowed, else the seconds to wait. The in-memory limiter answers at once (a
   * number, no promise: a reconnect storm is thousands of handshakes and joins), a shared one with a promise.
   */
  hit(key: string): number | Promise<number>;
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

const newBucket = (t: number, limit: RateLimit): Bucket => ({ windowStart: t - (t % limit.windowMs), current: 0, previous: 0 });

/** Counts one attempt in a bucket at time t: 0 when allowed, else the seconds to wait. */
function countHit(b: Bucket, t: number, limit: RateLimit): number {
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
    // A flood of distinct keys (fresh tokens, networks) must not grow memory without bound: forget the
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
      else b = newBucket(t, limit);
      buckets.set(key, b);
      return countHit(b, t, limit);
    },
    reset(key) {
      buckets.delete(key);
    },
  };
}

/** What a per-connection limiter keeps on the connection (socket.data): its windows, by limiter name. */
export interface RateHolder {
  rateWindows?: Record<string, Bucket>;
}

/**
 * A limit per connection (events per socket, joins per socket): its window lives on the connection itself and goes
 * with it. Kept in a shared map by socket id, 3,000 readers reconnecting at once were 6,000 fresh keys to insert,
 * reorder and sweep; a connection lives on one node, so nothing here is ever shared.
 */
export interface ConnectionLimiter {
  readonly limit: RateLimit;
  /** Counts one attempt of this connection: 0 when allowed, else the seconds to wait. */
  hit(holder: RateHolder): number;
}

export function createConnectionLimiter(name: string, limit: RateLimit, now: () => number = Date.now): ConnectionLimiter {
  return {
    limit,
    hit(holder) {
      const t = now();
      const windows = (holder.rateWindows ??= {});
      return countHit((windows[name] ??= newBucket(t, limit)), t, limit);
    },
  };
}

export function rateLimitedError(seconds: number): AppError {
  return new AppError('rate_limited', 429, msg('rate_limited', { seconds }), { retryAfter: seconds }, { 'Retry-After': String(seconds) });
}

/** The one-node RateLimiter: the in-memory window, answering hits at once. */
export function memoryRateLimiter(window: WindowLimiter): RateLimiter {
  return {
    limit: window.limit,
    hit: (key) => window.hit(key),
    reset: async (key) => window.reset(key),
  };
}

/** A limiter and what it counts: a network's or identity's key, or a connection. */
export type RateCheck = [RateLimiter, string] | [ConnectionLimiter, RateHolder];

const refuseIfWaiting = (wait: number): void => {
  if (wait > 0) throw rateLimitedError(wait);
};

/**
 * Hits every (limiter, key) pair; throws 429 with the longest wait if any is over. Every key counts: none is skipped.
 * With in-memory limiters only it returns (or throws) at once; with a shared one, a promise.
 */
export function enforce(...checks: RateCheck[]): void | Promise<void> {
  let wait = 0;
  let later: Promise<number>[] | undefined;
  for (const check of checks) {
    const w = typeof check[1] === 'string' ? (check[0] as RateLimiter).hit(check[1]) : (check[0] as ConnectionLimiter).hit(check[1]);
    if (typeof w === 'number') wait = Math.max(wait, w);
    else (later ??= []).push(w);
  }
  if (!later) return refuseIfWaiting(wait);
  return Promise.all(later).then((waits) => refuseIfWaiting(Math.max(wait, ...waits)));
}

export type LimiterName = 'get' | 'postAttempt' | 'edit' | 'like' | 'report' | 'login' | 'socketConnect' | 'joinPerIp';
/** Per network or identity (shared across nodes with Redis), and per connection (always on the connection). */
export type Limiters = Record<LimiterName, RateLimiter> & Record<'socketEvents' | 'join', ConnectionLimiter>;
