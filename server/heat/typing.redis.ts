// Owns "N 人正在输入" across nodes: each node keeps its own typists in memory and, once per tick while it has any,
// writes its per-article counts to a Redis hash of its own, listed in a sorted set by when that entry runs out
// (NODE_TTL_MS after the write). Every node reads the other live entries on its tick and adds them to its own, so
// a node that dies stops renewing and its typists drop out of every total within NODE_TTL_MS + one tick. An idle
// cluster costs one round trip per node per tick (a range read of an empty set).
import type { Logger } from '../log';
import type { SharedRedis } from '../shared/redis';
import { memoryTypingBoard, type TypingBoard, type TypingCount } from './typing';

export const TYPING_NODE_TTL_MS = 3000;
/** Entries of nodes gone this long are swept from the set (their hashes expire by themselves). */
const SWEEP_AFTER_MS = 60_000;

/** Hash field of one article: "<id>:<slug>" (a node reading it may have no reader there to know the slug from). */
const field = (id: number, slug: string) => `${id}:${slug}`;
function parseField(f: string): { id: number; slug: string } | undefined {
  const i = f.indexOf(':');
  const id = Number(f.slice(0, i));
  return i > 0 && Number.isSafeInteger(id) ? { id, slug: f.slice(i + 1) } : undefined;
}

export function redisTypingBoard(redis: SharedRedis, log: Logger, ttlMs = TYPING_NODE_TTL_MS): TypingBoard {
  const local = memoryTypingBoard();
  const nodes = `${redis.prefix}typing:nodes`;
  const hash = (node: string) => `${redis.prefix}typing:node:${node}`;
  const mine = hash(redis.nodeId);
  /** Whether this node's entry may be in Redis (so an empty tick must remove it). */
  let listed = false;
  let failing = false;

  return {
    touch: local.touch,
    drop: local.drop,
    // Typists elsewhere are only found by looking: a shared board ticks while the node runs.
    watching: () => true,
    async counts(now) {
      const here = await local.counts(now);
      // Not connected (yet): this node's own typists only, without a failed command per tick.
      if (redis.cmd.status !== 'ready') return here;
      try {
        const total = await shared(now, here);
        if (failing) log.info('typing sync back');
        failing = false;
        return total;
      } catch (err) {
        if (!failing) log.warn("typing sync failed; counting this node's typists only", { error: (err as Error).message });
        failing = true;
        return here;
      }
    },
    stop() {
      local.stop();
      // A node that stops cleanly takes its typists along at once instead of after its TTL.
      if (listed && redis.cmd.status === 'ready') redis.cmd.multi().del(mine).zrem(nodes, redis.nodeId).exec().catch(() => undefined);
      listed = false;
    },
  };

  /** Writes this node's counts (or removes its entry), reads the other live nodes' and adds them up. */
  async function shared(now: number, here: Map<number, TypingCount>): Promise<Map<number, TypingCount>> {
    const m = redis.cmd.multi();
    if (here.size) {
      const fields: (string | number)[] = [];
      for (const [id, c] of here) fields.push(field(id, c.slug), c.count);
      m.del(mine).hset(mine, ...fields).pexpire(mine, ttlMs * 2).zadd(nodes, now + ttlMs, redis.nodeId);
      listed = true;
    } else if (listed) {
      m.del(mine).zrem(nodes, redis.nodeId);
      listed = false;
    }
    m.zremrangebyscore(nodes, '-inf', now - SWEEP_AFTER_MS).zrangebyscore(nodes, now, '+inf');
    const replies = (await m.exec()) ?? [];
    const [err, live] = replies[replies.length - 1] ?? [];
    if (err) throw err;
    const others = (live as string[]).filter((n) => n !== redis.nodeId);
    if (!others.length) return here;
    const p = redis.cmd.pipeline();
    for (const n of others) p.hgetall(hash(n));
    const total = new Map<number, TypingCount>([...here].map(([id, c]) => [id, { ...c }]));
    for (const [e, h] of (await p.exec()) ?? []) {
      if (e) continue;
      for (const [f, n] of Object.entries(h as Record<string, string>)) {
        const a = parseField(f);
        const count = Number(n);
        if (!a || !(count > 0)) continue;
        const t = total.get(a.id);
        if (t) t.count += count;
        else total.set(a.id, { slug: a.slug, count });
      }
    }
    return total;
  }
}
