// Owns the Redis connections a node holds when REDIS_URL is set: one for commands (limits, presence,
// connection caps) that fails fast while Redis is away, and a publisher/subscriber pair for the
// Socket.IO adapter that reconnect and resubscribe by themselves.
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../log';

/** A command that has not answered by then counts as Redis being down (the caller falls back). */
const COMMAND_TIMEOUT_MS = 500;

export interface SharedRedis {
  /** Commands: no offline queue, so a request never waits for Redis to come back. */
  cmd: Redis;
  pub: Redis;
  sub: Redis;
  /** Key and channel prefix (REDIS_PREFIX), with the trailing colon. */
  prefix: string;
  /** This process's id among the nodes (random per start). */
  nodeId: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function connectRedis(url: string, prefix: string, nodeId: string, log: Logger): SharedRedis {
  // ioredis is loaded only when REDIS_URL is set: a default single node never needs it.
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const base: RedisOptions = {
    // Quick, bounded reconnect attempts: a restarted Redis is back within a second or two.
    retryStrategy: (times) => Math.min(100 * times, 1000),
    connectionName: `yilun:${nodeId}`,
  };
  // Auto-pipelining: the commands of one event-loop turn (a post's rate limits, those of the posts and joins
  // that arrived with it, presence, connection caps) leave in one write instead of one syscall each.
  const cmd = new Redis(url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: COMMAND_TIMEOUT_MS, enableAutoPipelining: true });
  // While Redis is away a publish fails at once (no queue growing in memory): that message is lost, and
  // readers fill the gap from the event log. The adapter does not catch publish errors, so we do: an
  // unhandled rejection would end the process.
  const pub = new Redis(url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 0, enableAutoPipelining: true });
  const publish = pub.publish.bind(pub) as (channel: string, message: string | Buffer) => Promise<number>;
  (pub as { publish: unknown }).publish = (channel: string, message: string | Buffer) => publish(channel, message).catch(() => 0);
  // Subscriptions wait for Redis and are renewed by ioredis on every reconnect.
  const sub = new Redis(url, { ...base, maxRetriesPerRequest: null });
  let down = false;
  for (const [name, c] of [['cmd', cmd], ['pub', pub], ['sub', sub]] as const) {
    // Never log the URL: it may carry a password.
    c.on('error', (err: Error) => {
      if (!down) log.warn('redis unavailable', { client: name, error: err.message.replace(/redis(s)?:\/\/\S*/g, 'redis://…') });
      if (name === 'cmd') down = true;
    });
    c.on('ready', () => {
      if (name === 'cmd' && down) log.info('redis back');
      if (name === 'cmd') down = false;
    });
  }
  return {
    cmd,
    pub,
    sub,
    prefix: `${prefix}:`,
    nodeId,
    async ping() {
      try {
        return (await cmd.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      // quit() would wait for a Redis that is away (the subscriber queues commands): only when connected.
      await Promise.all(
        [cmd, pub, sub].map(async (c) => {
          if (c.status !== 'ready') return c.disconnect();
          await Promise.race([c.quit(), new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => undefined);
          c.disconnect();
        }),
      );
    },
  };
}
