// Owns presence across nodes: every HEARTBEAT_MS each node writes its own per-article reader counts to a
// Redis hash that expires after NODE_TTL_MS, and reads the other live nodes' hashes. A node that dies stops
// refreshing, so its readers fall out of every total within NODE_TTL_MS + HEARTBEAT_MS. The per-network cap
// is applied per node (a network spread over three nodes may count up to three caps): documented, accepted.
import type { SharedRedis } from '../shared/redis';
import type { Logger } from '../log';
import type { PresenceElsewhere, StartElsewhere } from './presence';

export const PRESENCE_HEARTBEAT_MS = 2000;
const NODE_TTL_MS = 6000;

export function redisPresence(redis: SharedRedis, log: Logger, heartbeatMs = PRESENCE_HEARTBEAT_MS): StartElsewhere {
  return (local, changed): PresenceElsewhere => {
    const nodes = `${redis.prefix}presence:nodes`;
    const mine = `${redis.prefix}presence:node:${redis.nodeId}`;
    let others = new Map<number, number>();
    let failing = false;
    let lastOk = 0;

    const beat = async () => {
      const now = Date.now();
      const counts = local();
      const m = redis.cmd.multi().del(mine);
      const fields: (string | number)[] = [];
      for (const [id, n] of counts) if (n > 0) fields.push(String(id), n);
      if (fields.length) m.hset(mine, ...fields).pexpire(mine, NODE_TTL_MS);
      m.zadd(nodes, now, redis.nodeId).zremrangebyscore(nodes, '-inf', now - 10 * NODE_TTL_MS);
      await m.exec();
      const live = (await redis.cmd.zrangebyscore(nodes, now - NODE_TTL_MS, '+inf')).filter((n) => n !== redis.nodeId);
      const p = redis.cmd.pipeline();
      for (const n of live) p.hgetall(`${redis.prefix}presence:node:${n}`);
      const next = new Map<number, number>();
      for (const [err, h] of (await p.exec()) ?? []) {
        if (err) continue;
        for (const [id, n] of Object.entries(h as Record<string, string>)) next.set(Number(id), (next.get(Number(id)) ?? 0) + Number(n));
      }
      const previous = others;
      others = next;
      // Our readers hear of a change elsewhere (the usual one-per-second coalescing applies).
      for (const id of counts.keys()) if ((previous.get(id) ?? 0) !== (next.get(id) ?? 0)) changed(id);
      lastOk = Date.now();
      if (failing) log.info('presence sync back');
      failing = false;
    };
    const tick = () => {
      // Not connected yet at start: nothing to report, nothing to warn about.
      if (lastOk === 0 && redis.cmd.status !== 'ready') return;
      void beat().catch((err: Error) => {
        if (!failing) log.warn('presence sync failed; showing the last known totals', { error: err.message });
        failing = true;
      });
    };
    const timer = setInterval(tick, heartbeatMs);
    timer.unref();
    tick();
    return {
      // Totals older than a node's TTL are not trusted (Redis away): this node then shows its own readers only.
      count: (id) => (Date.now() - lastOk > NODE_TTL_MS ? 0 : (others.get(id) ?? 0)),
      stop() {
        clearInterval(timer);
        // A node that stops cleanly leaves at once instead of after its TTL.
        redis.cmd.multi().del(mine).zrem(nodes, redis.nodeId).exec().catch(() => undefined);
      },
    };
  };
}
