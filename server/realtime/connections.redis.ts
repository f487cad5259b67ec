// Owns the per-network connection cap across nodes: one sorted set per network in Redis whose members are
// this cluster's open connections (node:connection), scored by when they expire. Each node refreshes its
// own members on a heartbeat, so a killed node's connections fall out after CONN_TTL_MS. While Redis does
// not answer, the node's in-memory count decides alone (the cap then holds per node).
import type { SharedRedis } from '../shared/redis';
import { createNetworkConnections, type NetworkConnections } from './connections';

const CONN_TTL_MS = 30_000;
const HEARTBEAT_MS = 10_000;

/** Drops expired members, then adds ours when under the cap: 1 = added, 0 = full. */
const OPEN_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export function createRedisNetworkConnections(redis: SharedRedis, cap: number): NetworkConnections {
  const local = createNetworkConnections(cap);
  /** Our open connections: member -> network key. */
  const mine = new Map<string, string>();
  /** Connections open here (a close can come before Redis answered the open). */
  const live = new Set<string>();
  const key = (network: string) => `${redis.prefix}conn:${network}`;
  const member = (connId: string) => `${redis.nodeId}:${connId}`;

  const heartbeat = setInterval(() => {
    if (!mine.size) return;
    const until = Date.now() + CONN_TTL_MS;
    const p = redis.cmd.pipeline();
    for (const [m, k] of mine) {
      p.zadd(k, 'XX', until, m);
      p.pexpire(k, CONN_TTL_MS);
    }
    p.exec().catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    async full(network) {
      try {
        const now = Date.now();
        return (await redis.cmd.zcount(key(network), now, '+inf')) >= cap;
      } catch {
        return local.full(network);
      }
    },
    async open(network, connId) {
      if (!(await local.open(network, connId))) return false;
      live.add(connId);
      const now = Date.now();
      try {
        const added = await redis.cmd.eval(OPEN_SCRIPT, 1, key(network), now, cap, now + CONN_TTL_MS, member(connId), CONN_TTL_MS);
        if (added !== 1) {
          if (live.delete(connId)) local.close(network, connId);
          return false;
        }
        if (live.has(connId)) mine.set(member(connId), key(network));
        else await redis.cmd.zrem(key(network), member(connId));
      } catch {
        // Redis away: the local count alone decides.
      }
      return true;
    },
    close(network, connId) {
      if (!live.delete(connId)) return;
      local.close(network, connId);
      const m = member(connId);
      if (mine.delete(m)) redis.cmd.zrem(key(network), m).catch(() => undefined);
    },
    stop() {
      clearInterval(heartbeat);
    },
  };
}
