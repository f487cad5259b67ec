// Owns the first-page cache: answers built once per (article, seq, ...) and kept in a byte-bounded LRU.
// Keys carry the article's seq, read per request from the shared database, so a change made anywhere (this
// node or another) bumps seq and misses: nothing is ever invalidated and nothing stale is ever served.

export interface PageCache {
  /** False with PAGE_CACHE_BYTES=0: every answer is computed afresh (the bench's "before"). */
  readonly enabled: boolean;
  /**
   * The cached value under key, else computes it once for all concurrent callers. compute says how large
   * the value is and whether it may be kept (not when the article changed while it was being built).
   */
  get<V>(key: string, compute: () => Promise<Computed<V>>): Promise<V>;
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

export interface Computed<V> {
  value: V;
  bytes: number;
  keep: boolean;
}

export function createPageCache(maxBytes: number): PageCache {
  // Map order doubles as least-recently-used order.
  const entries = new Map<string, { value: unknown; bytes: number }>();
  const inFlight = new Map<string, Promise<unknown>>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;

  const store = (key: string, value: unknown, size: number) => {
    // One value larger than a quarter of the budget would flush everything else for one article.
    if (size > maxBytes / 4) return;
    entries.set(key, { value, bytes: size });
    bytes += size;
    for (const [k, e] of entries) {
      if (bytes <= maxBytes) break;
      entries.delete(k);
      bytes -= e.bytes;
    }
  };

  return {
    enabled: maxBytes > 0,
    async get<V>(key: string, compute: () => Promise<Computed<V>>): Promise<V> {
      if (maxBytes <= 0) return (await compute()).value;
      const hit = entries.get(key);
      if (hit) {
        hits++;
        entries.delete(key);
        entries.set(key, hit);
        return hit.value as V;
      }
      const pending = inFlight.get(key);
      if (pending) return pending as Promise<V>;
      misses++;
      const p = compute().then((c) => {
        if (c.keep) store(key, c.value, c.bytes);
        return c.value;
      });
      inFlight.set(key, p);
      p.finally(() => inFlight.delete(key)).catch(() => undefined);
      return p;
    },
    stats: () => ({ entries: entries.size, bytes, hits, misses }),
  };
}

/** Freezes a cached answer all the way down: one object is handed to many requests, none may change it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
