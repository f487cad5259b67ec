// Owns the arithmetic of the bench: percentiles over samples and rounding for the table.

/** Nearest-rank percentile (p in 0..100) of the finite samples; NaN when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const xs = Array.from(samples).filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * xs.length));
  return xs[Math.min(rank, xs.length) - 1];
}

export function summarize(samples: ArrayLike<number>): { n: number; p50: number; p99: number; max: number } {
  const xs = Array.from(samples).filter(Number.isFinite);
  return { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.reduce((m, x) => (x > m ? x : m), xs.length ? -Infinity : NaN) };
}

export function round(x: number, digits = 1): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
