// Owns releasing each article's live events in the order of their seq. Group commit resolves many writes
// at once and services may await other reads before publishing, so events reach publish out of order;
// an event waits here for its predecessors, at most gapMs, after which the missing seqs are skipped.
// With several nodes the seqs other nodes committed are gaps here too (their events reach readers through
// the adapter): given `local`, a gap is waited for only while a write of this node that may own it is in
// flight, and skipped at once otherwise.
import type { LocalWrites } from './local-writes';

export interface SequencerOptions {
  /** How long released events wait for a missing seq before it is skipped. */
  gapMs: number;
  /** Events waiting per article before the gap is skipped at once (memory bound). */
  maxPending?: number;
  /** Articles remembered; the least recently active idle ones are forgotten past this. */
  maxArticles?: number;
  /** This node's writes in flight: without it every gap may be ours (one node, tests). */
  local?: Pick<LocalWrites, 'clock' | 'busyBefore' | 'onSettled'>;
  /** Told how each gap ended: skipped at once (no local write could own it) or after waiting gapMs. */
  onGap?: (outcome: 'foreign' | 'timeout') => void;
}

export interface Sequencer<T> {
  /** Hands over an event carrying these seqs (ascending) of one article. */
  push(articleId: number, seqs: number[], item: T): void;
  /** Events waiting, over all articles (tests, diagnostics). */
  pending(): number;
  /** Gaps skipped so far: at once (foreign) and after the wait (timeout). */
  gaps(): { foreign: number; timeout: number };
  stop(): void;
}

interface Unit<T> {
  seqs: number[];
  item: T;
  /** The local write clock when it was heard: a write started later cannot own a seq below it. */
  at: number;
}

interface Lane<T> {
  /** The lowest seq not released yet; null while the lane is settling its baseline. */
  next: number | null;
  /** Waiting events, by their lowest seq. */
  waiting: Map<number, Unit<T>>;
  /** Seqs above `next` already released (the later seqs of a multi-seq event). */
  done: Set<number>;
  timer: NodeJS.Timeout | null;
  /** The `next` the gap timer was armed for. */
  timerFor: number | null;
}

export function createSequencer<T>(release: (item: T) => void, opts: SequencerOptions): Sequencer<T> {
  const maxPending = opts.maxPending ?? 10_000;
  const maxArticles = opts.maxArticles ?? 10_000;
  const lanes = new Map<number, Lane<T>>();
  /** Lanes with events waiting: the ones a settled local write may unblock. */
  const stalled = new Set<Lane<T>>();
  const local = opts.local;
  const counted = { foreign: 0, timeout: 0 };
  const gapEnded = (outcome: 'foreign' | 'timeout') => {
    counted[outcome]++;
    opts.onGap?.(outcome);
  };

  /** A missing seq below waiting events may be ours only if a local write older than one of them is in flight. */
  const mayBeLocal = (lane: Lane<T>): boolean => {
    if (!local) return true;
    let oldest = Infinity;
    for (const u of lane.waiting.values()) oldest = Math.min(oldest, u.at);
    return local.busyBefore(oldest);
  };

  const clearTimer = (lane: Lane<T>) => {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    lane.timerFor = null;
  };

  const markReleased = (lane: Lane<T>, seqs: number[]) => {
    for (const s of seqs) {
      if (s === lane.next) lane.next++;
      else if (s > lane.next!) lane.done.add(s);
    }
  };

  /** Gives up on the missing seqs below the lowest waiting event. */
  const skipGap = (lane: Lane<T>) => {
    lane.next = Math.min(...lane.waiting.keys());
    for (const s of lane.done) if (s < lane.next) lane.done.delete(s);
  };

  function drain(lane: Lane<T>): void {
    if (lane.next === null) return;
    for (;;) {
      while (lane.done.delete(lane.next)) lane.next++;
      const unit = lane.waiting.get(lane.next);
      if (!unit) break;
      lane.waiting.delete(lane.next);
      markReleased(lane, unit.seqs);
      release(unit.item);
    }
    if (lane.waiting.size === 0) {
      stalled.delete(lane);
      return clearTimer(lane);
    }
    stalled.add(lane);
    if (lane.waiting.size > maxPending) {
      skipGap(lane);
      return drain(lane);
    }
    if (!mayBeLocal(lane)) {
      clearTimer(lane);
      gapEnded('foreign');
      skipGap(lane);
      return drain(lane);
    }
    // Still waiting: the timer runs for the seq now missing (restarted when an earlier gap closed).
    if (lane.timerFor === lane.next) return;
    clearTimer(lane);
    lane.timerFor = lane.next;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      lane.timerFor = null;
      gapEnded('timeout');
      skipGap(lane);
      drain(lane);
    }, opts.gapMs);
    lane.timer.unref();
  }

  /** Keeps the map bounded: forget the least recently active articles with nothing waiting. */
  function trim(): void {
    for (const [id, lane] of lanes) {
      if (lanes.size <= maxArticles) return;
      if (lane.waiting.size === 0 && lane.next !== null) lanes.delete(id);
    }
  }

  // A local write ended: the gaps it might have owned and did not fill are someone else's.
  local?.onSettled(() => {
    for (const lane of [...stalled]) drain(lane);
  });

  return {
    push(articleId, seqs, item) {
      let lane = lanes.get(articleId);
      if (lane) {
        // Map order is recency: move the article to the end.
        lanes.delete(articleId);
        lanes.set(articleId, lane);
      } else {
        // A new article: its baseline is the lowest seq heard before the next turn of the event loop,
        // by which time every write of the same group commit has published.
        const fresh: Lane<T> = { next: null, waiting: new Map(), done: new Set(), timer: null, timerFor: null };
        lanes.set(articleId, (lane = fresh));
        setImmediate(() => {
          fresh.next = Math.min(...fresh.waiting.keys());
          drain(fresh);
        });
        trim();
      }
      if (lane.next !== null && seqs[0] < lane.next) {
        // Late (its gap was skipped already): out of order is better than never.
        markReleased(lane, seqs.filter((s) => s >= lane.next!));
        release(item);
      } else lane.waiting.set(seqs[0], { seqs, item, at: local ? local.clock() : 0 });
      drain(lane);
    },
    gaps: () => ({ ...counted }),
    pending: () => {
      let n = 0;
      for (const lane of lanes.values()) n += lane.waiting.size;
      return n;
    },
    stop() {
      for (const lane of lanes.values()) clearTimer(lane);
      lanes.clear();
      stalled.clear();
    },
  };
}
