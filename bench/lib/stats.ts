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

/** Median of the finite values (the mean of the middle two for an even count); NaN when there are none. */
export function median(samples: ArrayLike<number>): number {
  const xs = Array.from(samples).filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Per-round ratios a[i] / b[i] (rounds measured side by side), and their median: drift between rounds cancels. */
export function medianRatio(a: number[], b: number[]): { ratio: number; ratios: number[] } {
  const ratios = a.map((x, i) => ratio(x, b[i]));
  return { ratio: median(ratios), ratios };
}

export const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
