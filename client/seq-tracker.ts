// Owns what the live page knows about its article's seqs: the highest seq up to which it has seen every
// event, the seqs seen past a gap, when to fill a gap from the event log while connected (a short wait,
// one fill at a time, spaced out), and which state of each comment is the newest applied, so that an
// event arriving late or twice never shows again nor overwrites a newer state. No DOM: unit-tested.

export interface SeqTrackerOptions {
  /** The seq the page was rendered at: everything up to it is on the page. */
  seq: number;
  /** Asks for every change after `since` (a join); its answer comes back through covered(). */
  fill(since: number): void;
  /** Whether a fill can be asked now (connected); otherwise the next (re)join fills the gap. */
  canFill(): boolean;
  /** How long a gap may stay open before it is filled: live events from other nodes may just be late. */
  gapDelayMs?: number;
  /** Least time between two fills, so a reader never asks more than joins allow (RATE_JOIN). */
  minFillIntervalMs?: number;
  /** Past this many seqs waiting on a gap, fill at once (still one at a time). */
  aheadMax?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export class SeqTracker {
  /** Every seq up to this one has been seen (live, by a fill or by a page read). */
  seq: number;
  /** Seqs seen above a gap. */
  readonly ahead = new Set<number>();
  /** Fills asked for so far (tests, diagnostics). */
  fills = 0;
  /** States at or below this seq are on the page already (the last page read or catch-up). */
  private floor: number;
  private readonly stateSeq = new Map<number, number>();
  private readonly likes = new Map<number, { seq: number; likes: number }>();
  private inFlight = false;
  private timer: unknown = null;
  private lastFill = -Infinity;
  private readonly o: Required<Omit<SeqTrackerOptions, 'seq'>>;

  constructor(opts: SeqTrackerOptions) {
    this.seq = opts.seq;
    this.floor = opts.seq;
    this.o = {
      gapDelayMs: 700,
      minFillIntervalMs: 3000,
      aheadMax: 200,
      now: () => Date.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      ...opts,
    };
  }

  /** Is there a seq missing below one already seen? */
  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** A live event (or a bare seq tick) carried seq s. */
  saw(s: number): void {
    if (s > this.seq) this.ahead.add(s);
    while (this.ahead.delete(this.seq + 1)) this.seq++;
    if (!this.hasGap) return this.cancelTimer();
    if (this.ahead.size > this.o.aheadMax) this.fillNow();
    else this.schedule(this.o.gapDelayMs);
  }

  /** A join was sent (a reconnect or a fill): its answer will cover the gap, so no other fill meanwhile. */
  joining(): void {
    this.inFlight = true;
    this.cancelTimer();
  }

  /** A page read or a join's catch-up covers every seq up to s. */
  covered(s: number): void {
    this.inFlight = false;
    this.seq = Math.max(this.seq, s);
    this.floor = Math.max(this.floor, s);
    for (const x of this.ahead) if (x <= this.seq) this.ahead.delete(x);
    while (this.ahead.delete(this.seq + 1)) this.seq++;
    for (const [id, v] of this.stateSeq) if (v <= this.floor) this.stateSeq.delete(id);
    for (const [id, v] of this.likes) if (v.seq <= this.floor) this.likes.delete(id);
    if (this.hasGap) this.schedule(this.o.gapDelayMs);
    else this.cancelTimer();
  }

  /** A join failed or was refused: a gap is tried again after retryAfterMs (none when the caller retries itself). */
  joinFailed(retryAfterMs?: number): void {
    this.inFlight = false;
    if (this.hasGap && retryAfterMs !== undefined) this.schedule(retryAfterMs);
  }

  /**
   * Should the state of comment id carried at seq s be applied? True (and remembered) only when it is
   * newer than the comment's state on the page; a late or repeated event answers false.
   */
  acceptState(id: number, s: number): boolean {
    if (s <= (this.stateSeq.get(id) ?? this.floor)) return false;
    this.stateSeq.set(id, s);
    return true;
  }

  /** Same for a like count alone (reaction events). */
  acceptLikes(id: number, s: number, likes: number): boolean {
    if (s <= Math.max(this.likes.get(id)?.seq ?? this.floor, this.stateSeq.get(id) ?? this.floor)) return false;
    this.likes.set(id, { seq: s, likes });
    return true;
  }

  /** A like count newer than state s of comment id, to put back after applying that state. */
  newerLikes(id: number, s: number): number | undefined {
    const l = this.likes.get(id);
    return l && l.seq > s ? l.likes : undefined;
  }

  stop(): void {
    this.cancelTimer();
  }

  private schedule(ms: number): void {
    if (this.inFlight || this.timer !== null) return;
    const wait = Math.max(ms, this.lastFill + this.o.minFillIntervalMs - this.o.now());
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      if (this.hasGap) this.fillNow();
    }, wait);
  }

  private fillNow(): void {
    if (this.inFlight || !this.o.canFill()) return;
    if (this.o.now() - this.lastFill < this.o.minFillIntervalMs) return this.schedule(0);
    this.cancelTimer();
    this.inFlight = true;
    this.lastFill = this.o.now();
    this.fills++;
    this.o.fill(this.seq);
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.o.clearTimer(this.timer);
    this.timer = null;
  }
}

/**
 * Per key (a comment, a comment and kind), the seq of the newest state applied, starting from the page's seq:
 * accept(key, seq) says whether a state of that seq is newer, and remembers it if so. A state without a seq
 * (an older server) is always taken.
 */
export class NewestBySeq<K> {
  private readonly seqs = new Map<K, number>();
  constructor(private readonly floor: number) {}

  accept(key: K, seq: number | undefined): boolean {
    if (seq === undefined) return true;
    if (seq <= (this.seqs.get(key) ?? this.floor)) return false;
    this.seqs.set(key, seq);
    return true;
  }
}
