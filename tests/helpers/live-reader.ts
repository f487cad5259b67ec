// A headless live page: the same seq bookkeeping as client/app.ts (client/seq-tracker.ts) over a real
// socket.io client, applying events to a map of comments. It records every state applied, so a test can
// check each change was shown exactly once, and it can drop chosen events on purpose (a lost pub/sub message).
import type { Socket } from 'socket.io-client';
import { SeqTracker } from '../../client/seq-tracker';
import type { CommentJson } from '../../contracts/api';

export interface LiveReader {
  tracker: SeqTracker;
  /** What the page shows: comment id -> its state (null = removed). */
  comments: Map<number, CommentJson | null>;
  likes: Map<number, number>;
  /** Every (id, seq) state applied, in order: a duplicate means a change was shown twice. */
  applied: { id: number; seq: number }[];
  /** Live events received, by event name and seq: a count above 1 means the same event arrived twice. */
  received: Map<string, number>;
  /** Events the test dropped on purpose. */
  dropped: number;
  /** Joins answered (the first, reconnects and gap fills). */
  joins: number;
  /** Resolves when the socket has joined and caught up. */
  ready: Promise<void>;
  /** Hands an event to the page as if it had just arrived (a held-back one, late). */
  deliver(event: string, payload: unknown): void;
  stop(): void;
}

type Ev = { seq: number; article: string; id: number; comment: CommentJson | null };

export function liveReader(socket: Socket, slug: string, opts: { drop?: (event: string, payload: { seq: number }) => boolean; since?: number } = {}): LiveReader {
  const comments = new Map<number, CommentJson | null>();
  const likes = new Map<number, number>();
  const applied: { id: number; seq: number }[] = [];
  let readyResolve!: () => void;
  const r: LiveReader = {
    tracker: undefined as unknown as SeqTracker,
    comments,
    likes,
    applied,
    received: new Map(),
    dropped: 0,
    joins: 0,
    ready: new Promise<void>((res) => (readyResolve = res)),
    stop: () => r.tracker.stop(),
    deliver: (event, payload) => (handlers.get(event) as ((p: unknown) => void) | undefined)?.(payload),
  };
  const handlers = new Map<string, (p: never) => void>();
  const on = <T extends { seq: number }>(event: string, fn: (p: T) => void) => {
    handlers.set(event, fn as (p: never) => void);
    socket.on(event, (p: T) => {
      const k = `${event}:${p.seq}`;
      r.received.set(k, (r.received.get(k) ?? 0) + 1);
      if (!opts.drop?.(event, p)) return fn(p);
      r.dropped++;
    });
  };
  const applyState = (id: number, seq: number, c: CommentJson | null) => {
    if (!r.tracker.acceptState(id, seq)) return;
    applied.push({ id, seq });
    comments.set(id, c);
    if (c) likes.set(id, r.tracker.newerLikes(id, seq) ?? c.likes);
  };
  const join = () => {
    r.tracker.joining();
    socket.emit('join', { article: slug, since: r.tracker.seq }, (a: { ok: boolean; data?: { seq: number; changes: { seq: number; id: number; comment: CommentJson | null }[]; reset: boolean } }) => {
      if (!a.ok || !a.data) return r.tracker.joinFailed(1000);
      r.joins++;
      if (a.data.reset) throw new Error('catch-up reset: the test wanted an exact catch-up');
      for (const ch of a.data.changes) applyState(ch.id, ch.seq, ch.comment);
      r.tracker.covered(a.data.seq);
      readyResolve();
    });
  };
  r.tracker = new SeqTracker({ seq: opts.since ?? 0, fill: join, canFill: () => socket.connected, gapDelayMs: 500, minFillIntervalMs: 1000 });
  for (const event of ['comment:created', 'comment:updated', 'comment:removed']) {
    on(event, (e: Ev) => {
      if (e.article !== slug) return;
      r.tracker.saw(e.seq);
      applyState(e.id, e.seq, event === 'comment:removed' ? null : e.comment);
    });
  }
  on('reaction:updated', (e: { seq: number; article: string; commentId: number; likes: number }) => {
    if (e.article !== slug) return;
    r.tracker.saw(e.seq);
    if (r.tracker.acceptLikes(e.commentId, e.seq, e.likes)) likes.set(e.commentId, e.likes);
  });
  for (const event of ['seq:advanced', 'article:updated', 'reactions:updated']) {
    on(event, (e: { seq: number; article: string }) => {
      if (e.article !== slug) return;
      r.tracker.saw(e.seq);
    });
  }
  socket.on('connect', join);
  if (socket.connected) join();
  return r;
}

/** Live events that arrived more than once (should be none). */
export function repeatedEvents(r: LiveReader): string[] {
  return [...r.received].filter(([, n]) => n > 1).map(([k]) => k);
}

/** Applied states that appear more than once (should be none). */
export function duplicates(r: LiveReader): { id: number; seq: number }[] {
  const seen = new Set<string>();
  return r.applied.filter((a) => {
    const k = `${a.id}:${a.seq}`;
    if (seen.has(k)) return true;
    seen.add(k);
    return false;
  });
}
