// Owns the shared rate limiter: a fixed window per key in Redis (rate-limiter-flexible), so a limit holds
// whichever node a request reaches. While Redis does not answer, each node falls back to its own
// in-memory limiter (the "insurance"): limits then hold per node until Redis is back.
import type { RateLimit } from '../config';
import type { SharedRedis } from '../shared/redis';
import type { RateLimiter } from './rate';

export function createRedisRateLimiter(redis: SharedRedis, name: string, limit: RateLimit): RateLimiter {
  // Loaded only when REDIS_URL is set: a single node counts in memory (rate.ts).
  const { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } = require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
  // rate-limiter-flexible counts in whole seconds; our windows are whole seconds in practice.
  const duration = Math.max(1, Math.round(limit.windowMs / 1000));
  const opts = { points: limit.limit, duration, keyPrefix: `${redis.prefix}rl:${name}` };
  const limiter = new RateLimiterRedis({
    ...opts,
    storeClient: redis.cmd,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(opts),
  });
  return {
    limit,
    async hit(key) {
      try {
        await limiter.consume(key);
        return 0;
      } catch (res) {
        if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw res;
      }
    },
    async reset(key) {
      await limiter.delete(key).catch(() => undefined);
    },
  };
}
