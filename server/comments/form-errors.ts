// Owns what a refused no-JavaScript post leaves for the page it redirects to (post/redirect/get): the
// reader's name and text and the refusal, under an unguessable id, for a short time. Node-local state:
// behind a multi-node balancer the redirect may land elsewhere and the page then says the form expired.
import crypto from 'node:crypto';

export interface KeptForm {
  slug: string;
  authorName: string;
  body: string;
  parentId: number | null;
  error: string;
  /** Which fields the refusal is about (aria-invalid, focus). */
  fields: ('authorName' | 'body')[];
  /** The refusal's HTTP status, answered again by the page that shows it (a crawler sees an error). */
  status: number;
  /** Only the network that posted may read it back: a shared URL does not show someone's text to others. */
  ipHash: string;
}

export interface FormErrorStore {
  put(entry: KeptForm): string;
  get(id: string, ipHash: string): KeptForm | undefined;
}

/**
 * Bounded by count and by size of what is kept: at most `max` entries (oldest dropped first), each text cut
 * to the limits a post may have, so one anonymous client flooding refused posts (itself capped by the post
 * attempt limiter) costs at most max x ~20 KB and only pushes older entries out early.
 */
export function createFormErrorStore(now: () => number, opts: { max?: number; ttlMs?: number } = {}): FormErrorStore {
  const max = opts.max ?? 500;
  const ttlMs = opts.ttlMs ?? 15 * 60_000;
  const entries = new Map<string, KeptForm & { at: number }>();
  return {
    put(entry) {
      const id = crypto.randomBytes(12).toString('base64url');
      entries.set(id, { ...entry, authorName: entry.authorName.slice(0, 200), body: entry.body.slice(0, 6000), error: entry.error.slice(0, 2000), at: now() });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return id;
    },
    get(id, ipHash) {
      const e = entries.get(id);
      if (!e || now() - e.at > ttlMs) {
        entries.delete(id);
        return undefined;
      }
      return e.ipHash === ipHash ? e : undefined;
    },
  };
}
