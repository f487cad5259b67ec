// Owns the per-network post times behind the stored-comments rule (RATE_POST_IP) on SQLite, kept in memory.
// One process owns a SQLite file, and every comment row it writes passes through the comment writer, so
// the times it saw committed plus one read per network from the file are the exact set: the rule no longer
// walks the window's rows in the index on every post (with a raised limit that was every post of the window).
// Rows are never deleted and ip_hash never changes, so nothing ever leaves the set but by age. A write that
// was rolled back forgets its network (the next check reads the file again).

/** The times of a network's posts since sinceAt, oldest first: the newest `limit` when it has that many, else none. */
export type TimesLoader = (ipHash: string, sinceAt: number, limit: number) => number[];

export interface NetworkTimes {
  /** As the stored rule reads it: [] under the limit, else the newest `limit` times, oldest first. */
  times(ipHash: string, sinceAt: number, limit: number): number[];
  /** A comment of this network was written (inside the write's transaction). */
  add(ipHash: string | null, at: number): void;
  /** The write that added it was rolled back: read this network from the file next time. */
  forget(ipHash: string | null): void;
  /** Rows came in some other way (a restore) or a batch of them was rolled back (an import): read the file again. */
  clear(): void;
  /** Networks held (tests). */
  size(): number;
}

interface Entry {
  /** Every post of the network at or after this time is in `times`. */
  since: number;
  /** Ascending; times before `since` are dropped lazily from the front (`start`). */
  times: number[];
  start: number;
}

/**
 * Networks are swept when this many are held (then when twice as many as the sweep left): the sweep frees the
 * networks with no post left in the window, so what stays is bounded by the rows written in the window.
 */
const SWEEP_AT = 4096;

export function createNetworkTimes(load: TimesLoader): NetworkTimes {
  const held = new Map<string, Entry>();
  /** The latest window start asked for: an entry with nothing at or after it is idle and can go. */
  let horizon = -Infinity;
  let sweepAt = SWEEP_AT;

  const sweep = () => {
    for (const [ip, e] of held) if (e.times.length === 0 || e.times[e.times.length - 1] < horizon) held.delete(ip);
  };

  const trim = (e: Entry, sinceAt: number) => {
    let i = e.start;
    while (i < e.times.length && e.times[i] < sinceAt) i++;
    e.start = i;
    e.since = sinceAt;
    // Compact once the dropped prefix is most of the array.
    if (i > 32 && i * 2 > e.times.length) {
      e.times = e.times.slice(i);
      e.start = 0;
    }
  };

  return {
    times(ipHash, sinceAt, limit) {
      horizon = Math.max(horizon, sinceAt);
      let e = held.get(ipHash);
      if (e && sinceAt < e.since) {
        // A wider window than the one held (the limit's window was raised): read the file again.
        held.delete(ipHash);
        e = undefined;
      }
      if (!e) {
        const loaded = load(ipHash, sinceAt, limit);
        // At the limit, the file's answer is the rule's answer, but it is not the whole window: not held.
        if (loaded.length >= limit) return loaded.slice(-limit);
        if (held.size >= sweepAt) {
          sweep();
          sweepAt = Math.max(SWEEP_AT, held.size * 2);
        }
        e = { since: sinceAt, times: loaded, start: 0 };
        held.set(ipHash, e);
      } else {
        trim(e, sinceAt);
      }
      const n = e.times.length - e.start;
      return n < limit ? [] : e.times.slice(e.times.length - limit);
    },
    add(ipHash, at) {
      if (ipHash === null) return;
      const e = held.get(ipHash);
      if (!e || at < e.since) return;
      const t = e.times;
      // Nearly always the newest; a clock step back inserts in place.
      let i = t.length;
      while (i > e.start && t[i - 1] > at) i--;
      t.splice(i, 0, at);
    },
    forget(ipHash) {
      if (ipHash !== null) held.delete(ipHash);
    },
    clear: () => held.clear(),
    size: () => held.size,
  };
}
