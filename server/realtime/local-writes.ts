// Owns knowing which seq-bumping writes of this node are still on their way to publish: a seq missing from
// an article's sequence can only be ours while a local write that started before it was heard of is in flight.
import type { Deps } from '../deps';

export interface LocalWrites {
  /** A write starts (before it reaches the store); call the answer once its events were published or it failed. */
  begin(): () => void;
  /** The ticket of the latest write started: what an event heard now compares against. */
  clock(): number;
  /** Whether a write that started at or before this ticket is still in flight. */
  busyBefore(ticket: number): boolean;
  /** Called after each write ends (the sequencer re-checks its gaps). */
  onSettled(fn: () => void): void;
}

export function createLocalWrites(): LocalWrites {
  let clock = 0;
  // Insertion order is ticket order, so the first entry is the oldest write in flight.
  const inFlight = new Set<number>();
  const listeners: (() => void)[] = [];
  return {
    begin() {
      const ticket = ++clock;
      inFlight.add(ticket);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        inFlight.delete(ticket);
        for (const fn of listeners) fn();
      };
    },
    clock: () => clock,
    busyBefore(ticket) {
      for (const t of inFlight) return t <= ticket;
      return false;
    },
    onSettled: (fn) => void listeners.push(fn),
  };
}

/** Wraps a service use case that bumps seqs: the write counts as in flight until the use case has returned. */
export function localWrite<A extends unknown[], R>(fn: (deps: Deps, ...args: A) => Promise<R>): (deps: Deps, ...args: A) => Promise<R> {
  return async (deps, ...args) => {
    const end = deps.writes?.begin();
    try {
      return await fn(deps, ...args);
    } finally {
      end?.();
    }
  };
}
