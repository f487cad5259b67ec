// Owns deriving an article slug from a thread of another system: its identifier, else its URL path.
import crypto from 'node:crypto';
import { SLUG_RE } from '../articles/articles.content';

const short = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 8);

function pathOf(url: string): string {
  try {
    const u = new URL(url, 'http://x.invalid');
    return decodeURIComponent(u.pathname);
  } catch {
    return url;
  }
}

/**
 * Lower-case ASCII letters and digits joined by single dashes, at most 80 characters. When characters were
 * dropped (a Chinese path) or nothing is left, a short hash of the whole source keeps different threads apart.
 */
export function slugFor(t: { key: string; identifier: string; url: string }): string {
  const source = t.identifier || pathOf(t.url) || '';
  let base = '';
  let dropped = false;
  for (const ch of source.toLowerCase()) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) base += ch;
    else {
      if (!/[\s/_.\-:?#=&]/.test(ch)) dropped = true;
      if (!base.endsWith('-')) base += '-';
    }
  }
  base = base.replace(/^-+|-+$/g, '');
  if (!base) return `thread-${short(source || t.key)}`;
  if (dropped) base = `${base.slice(0, 71).replace(/-+$/, '')}-${short(source)}`;
  base = base.slice(0, 80).replace(/-+$/, '');
  return SLUG_RE.test(base) ? base : `thread-${short(source || t.key)}`;
}
