// Owns answers that come at once or later: the in-memory limiter, connection cap and presence answer a
// number at once, their Redis counterparts with a promise. A reconnect storm asks them thousands of times,
// and a promise (with its turn of the microtask queue) per question was a visible share of it.

/** A value now (in memory) or a promise of it (shared across nodes). */
export type Maybe<T> = T | Promise<T>;

/** Runs `then` on the value: at once when there is one, once it settles when it is a promise. */
export function whenReady<T, R>(value: Maybe<T>, then: (value: T) => Maybe<R>): Maybe<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}
