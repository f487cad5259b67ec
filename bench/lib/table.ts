// Owns the bench's result rows: each Yilun figure beside the floor's, the ratio, the target and the verdict,
// printed as one table and kept as JSON for comparing runs.
import { ratio, round } from './stats';

export type Target =
  /** Yilun / floor at least this. */
  | { kind: 'ratioMin'; value: number }
  /** Yilun / floor at most this. */
  | { kind: 'ratioMax'; value: number }
  /** Yilun's own figure at most this. */
  | { kind: 'max'; value: number }
  /** Yilun's own figure exactly zero (and the floor's, reported). */
  | { kind: 'zero' };

export interface Row {
  group: string;
  metric: string;
  unit: string;
  yilun: number;
  floor: number | null;
  ratio: number | null;
  target?: Target;
  pass?: boolean;
  /** Set when the ratio is the median of per-round ratios (rounds measured side by side), not yilun / floor. */
  ratios?: number[];
}

/**
 * One result row. `paired`: per-round ratios of interleaved measurements; the row's ratio (and verdict) is then
 * their median, which a noisy neighbour shifting one round cannot move, rather than the ratio of the pooled figures.
 */
export function row(group: string, metric: string, unit: string, yilun: number, floor: number | null, target?: Target, paired?: { ratio: number; ratios: number[] }): Row {
  const r = floor === null ? null : paired ? paired.ratio : ratio(yilun, floor);
  const pass = target === undefined ? undefined : verdict(target, yilun, r);
  return { group, metric, unit, yilun, floor, ratio: r, target, pass, ...(paired ? { ratios: paired.ratios } : {}) };
}

function verdict(t: Target, yilun: number, r: number | null): boolean {
  switch (t.kind) {
    case 'ratioMin':
      return r !== null && r >= t.value;
    case 'ratioMax':
      // A floor of 0 (e.g. no lag at all) makes the ratio meaningless; then only Yilun's 0 passes.
      return r !== null && (Number.isFinite(r) ? r <= t.value : yilun === 0);
    case 'max':
      return yilun <= t.value;
    case 'zero':
      return yilun === 0;
  }
}

function targetText(t: Target | undefined): string {
  if (!t) return '';
  switch (t.kind) {
    case 'ratioMin':
      return `>= ${t.value}x floor`;
    case 'ratioMax':
      return `<= ${t.value}x floor`;
    case 'max':
      return `<= ${t.value}`;
    case 'zero':
      return '0';
  }
}

function num(x: number | null, unit: string): string {
  if (x === null) return '—';
  if (!Number.isFinite(x)) return 'n/a';
  const digits = Math.abs(x) >= 100 || unit === 'count' ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${round(x, digits).toLocaleString('en-US')}${unit && unit !== 'count' ? ' ' + unit : ''}`;
}

export function formatTable(rows: Row[]): string {
  const head = ['Scenario', 'Metric', 'Yilun', 'Floor', 'Yilun/Floor', 'Target', 'OK'];
  const body = rows.map((r) => [
    r.group,
    r.metric,
    num(r.yilun, r.unit),
    num(r.floor, r.unit),
    r.ratio === null ? '' : Number.isFinite(r.ratio) ? `${round(r.ratio, 2)}x${r.ratios ? ` (med of ${r.ratios.length})` : ''}` : 'n/a',
    targetText(r.target),
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => [...b[i]].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}
