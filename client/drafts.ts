// Owns unsent drafts in localStorage, one per article and parent (0 = the main form): kept while typing,
// restored after a reload, cleared when the post succeeds. Storage may be off or full: then nothing is kept.
const PREFIX = 'yilun:draft:';
/** Drafts older than this are dropped when read: a week-old half sentence is not worth restoring. */
const MAX_AGE_MS = 7 * 86_400_000;

const key = (slug: string, parentId: number | null) => `${PREFIX}${slug}:${parentId ?? 0}`;

export function loadDraft(slug: string, parentId: number | null): string {
  try {
    const raw = localStorage.getItem(key(slug, parentId));
    if (!raw) return '';
    const d = JSON.parse(raw) as { body?: unknown; at?: unknown };
    if (typeof d.body !== 'string' || typeof d.at !== 'number' || Date.now() - d.at > MAX_AGE_MS) {
      localStorage.removeItem(key(slug, parentId));
      return '';
    }
    return d.body;
  } catch {
    return '';
  }
}

export function saveDraft(slug: string, parentId: number | null, body: string): void {
  try {
    if (body.trim() === '') localStorage.removeItem(key(slug, parentId));
    else localStorage.setItem(key(slug, parentId), JSON.stringify({ body, at: Date.now() }));
  } catch {
    // storage off or full: the draft lives only in the form
  }
}

export function clearDraft(slug: string, parentId: number | null): void {
  saveDraft(slug, parentId, '');
}
