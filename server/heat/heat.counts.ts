// Owns the reaction counts kept on a comment: reading the stored JSON and moving one kind by one.

/** Counts as stored (JSON text), tolerant of anything unexpected: a bad value reads as no reactions. */
export function parseCounts(text: string | null | undefined): Record<string, number> {
  try {
    const v = JSON.parse(text ?? '{}') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, n]) => typeof n === 'number' && n > 0)) as Record<string, number>;
  } catch {
    return {};
  }
}

/** The counts after one reaction of `kind` came (+1) or went (-1); kinds at 0 are dropped, keys kept sorted. */
export function shiftCounts(counts: Record<string, number>, kind: string, delta: number): Record<string, number> {
  const next = { ...counts, [kind]: (counts[kind] ?? 0) + delta };
  return Object.fromEntries(Object.entries(next).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
}

export interface PerArticle {
  articleId: number;
  n: number;
}

/** Open reports and held comments per article, one row per article with either, by article id. */
export function mergeAttention(reported: PerArticle[], held: PerArticle[]): { articleId: number; openReports: number; held: number }[] {
  const out = new Map<number, { articleId: number; openReports: number; held: number }>();
  const row = (id: number) => out.get(id) ?? out.set(id, { articleId: id, openReports: 0, held: 0 }).get(id)!;
  for (const r of reported) row(r.articleId).openReports = Number(r.n);
  for (const h of held) row(h.articleId).held = Number(h.n);
  return [...out.values()].sort((a, b) => a.articleId - b.articleId);
}
