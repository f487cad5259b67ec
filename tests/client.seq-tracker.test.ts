// The live page's seq bookkeeping (client/seq-tracker.ts): gaps noticed while connected are filled from the
// event log after a short wait, one fill at a time and spaced out; late and repeated events never apply twice
// nor over a newer state.
import { NewestBySeq, SeqTracker, type SeqTrackerOptions } from '../client/seq-tracker';

/** A tracker on a hand-moved clock with hand-fired timers. */
function tracker(seq = 10, opts: Partial<SeqTrackerOptions> = {}) {
  const clock = { now: 0 };
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  const fills: number[] = [];
  let connected = true;
  const t = new SeqTracker({
    seq,
    fill: (since) => fills.push(since),
    canFill: () => connected,
    now: () => clock.now,
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: clock.now + ms, fn, id });
      return id;
    },
    clearTimer: (id) => {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    ...opts,
  });
  const advance = (ms: number) => {
    clock.now += ms;
    for (;;) {
      const due = timers.filter((x) => x.at <= clock.now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers.splice(timers.indexOf(due), 1);
      due.fn();
    }
  };
  return { t, fills, advance, timers, setConnected: (c: boolean) => (connected = c) };
}

describe('gap filling while connected', () => {
  it('moves the contiguous seq with in-order events and never asks for a fill', () => {
    const { t, fills, advance } = tracker();
    for (let s = 11; s <= 20; s++) t.saw(s);
    advance(10_000);
    expect(t.seq).toBe(20);
    expect(fills).toEqual([]);
  });

  it('waits for a late event instead of fetching: a reorder closed within the delay costs nothing', () => {
    const { t, fills, advance } = tracker();
    t.saw(12);
    advance(300);
    t.saw(11);
    advance(5000);
    expect(t.seq).toBe(12);
    expect(fills).toEqual([]);
  });

  it('fills a gap that stays open past the delay, from the contiguous seq, once', () => {
    const { t, fills, advance } = tracker();
    t.saw(12);
    t.saw(13);
    advance(699);
    expect(fills).toEqual([]);
    advance(1);
    expect(fills).toEqual([10]);
    t.saw(14); // more events meanwhile: the fill in flight covers them
    advance(10_000);
    expect(fills).toEqual([10]);
    t.joining();
    t.covered(14);
    expect(t.seq).toBe(14);
    expect(t.hasGap).toBe(false);
  });

  it('treats a bare seq tick (a change this reader may not see) as no gap', () => {
    const { t, fills, advance } = tracker();
    t.saw(11); // seq:advanced for a held comment
    t.saw(12);
    advance(10_000);
    expect(fills).toEqual([]);
  });

  it('spaces fills out: a reader whose events keep going missing asks at most once per interval', () => {
    const { t, fills, advance } = tracker(10, { minFillIntervalMs: 3000 });
    let s = 10;
    let answered = 0;
    for (let round = 0; round < 10; round++) {
      s += 2; // one seq lost every time
      t.saw(s);
      advance(700);
      if (fills.length > answered) {
        t.covered(s); // the fill's answer
        answered = fills.length;
      }
      advance(300);
    }
    // 10 s of constant gaps: fills at 0.7 s and then no more often than every 3 s.
    expect(fills.length).toBeGreaterThanOrEqual(3);
    expect(fills.length).toBeLessThanOrEqual(4);
  });

  it('fills at once past the pending bound, still one at a time', () => {
    const { t, fills } = tracker(0, { aheadMax: 5 });
    for (let s = 2; s <= 8; s++) t.saw(s);
    expect(fills).toEqual([0]);
  });

  it('leaves the gap to the next join while disconnected', () => {
    const { t, fills, advance, setConnected } = tracker();
    setConnected(false);
    t.saw(12);
    advance(5000);
    expect(fills).toEqual([]);
    t.joining(); // the reconnect's join
    t.covered(12);
    expect(t.seq).toBe(12);
  });

  it('tries again after a failed fill', () => {
    const { t, fills, advance } = tracker();
    t.saw(12);
    advance(700);
    t.joinFailed(3000);
    advance(3000);
    expect(fills).toEqual([10, 10]);
  });
});

describe('applying each state once, never an older over a newer', () => {
  it('refuses a repeated event and an event older than what the page shows', () => {
    const { t } = tracker(10);
    expect(t.acceptState(1, 11)).toBe(true);
    expect(t.acceptState(1, 11)).toBe(false); // the same event again (live and catch-up)
    expect(t.acceptState(1, 13)).toBe(true);
    expect(t.acceptState(1, 12)).toBe(false); // arrived late
    expect(t.acceptState(2, 12)).toBe(true); // another comment has its own order
  });

  it('refuses any state at or below what a page read or catch-up covered', () => {
    const { t } = tracker(10);
    expect(t.acceptState(5, 10)).toBe(false);
    t.covered(20);
    expect(t.acceptState(5, 19)).toBe(false);
    expect(t.acceptState(5, 21)).toBe(true);
  });

  it('keeps a newer like count over an older comment state that arrives after it', () => {
    const { t } = tracker(10);
    expect(t.acceptLikes(1, 14, 7)).toBe(true);
    expect(t.acceptState(1, 13)).toBe(true); // an edit at 13: apply its body...
    expect(t.newerLikes(1, 13)).toBe(7); // ...but keep the likes from 14
    expect(t.acceptLikes(1, 12, 3)).toBe(false); // older than the state applied
    expect(t.acceptState(1, 15)).toBe(true);
    expect(t.newerLikes(1, 15)).toBeUndefined();
  });
});

describe('NewestBySeq (reaction counts, slow mode)', () => {
  it('takes a state only when newer than the page and than the last taken for its key; an older one arriving late changes nothing', () => {
    const n = new NewestBySeq<number>(10);
    expect(n.accept(1, 10)).toBe(false);
    expect(n.accept(1, 13)).toBe(true);
    expect(n.accept(1, 12)).toBe(false);
    expect(n.accept(1, 13)).toBe(false);
    expect(n.accept(2, 11)).toBe(true);
    expect(n.accept(1, 14)).toBe(true);
    expect(n.accept(1, undefined)).toBe(true);
  });
});
