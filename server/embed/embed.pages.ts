// Owns what identifies an embedded page: its key (the page-id it gave, or its normalized canonical URL),
// the deterministic slug of its thread, and the bounded title and URL a new thread takes.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Site } from '../db/store';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';

/** Printable, no spaces or quotes: ids like "2025-05-nvidia" or "post/123". */
const PAGE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;
const MAX_URL = 2000;
const MAX_TITLE = 200;

export const pageSchema = z.object({
  page: z.string().max(MAX_URL).optional(),
  url: z.string().max(MAX_URL).optional(),
  title: z.string().max(1000).optional(),
});

/**
 * The canonical form of a page URL: scheme and host lower-cased, default port dropped (WHATWG URL does both),
 * query and fragment dropped, trailing slash unified (none, except the root). Null when not http(s).
 */
export function normalizePageUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username || u.password) return null;
  const path = u.pathname.replace(/\/+$/, '') || '/';
  return `${u.origin}${path}`;
}

export interface PageRef {
  /** `id:<page-id>` or `url:<normalized URL>`. */
  key: string;
  /** The page's URL, when on one of the site's origins (shown in the console). */
  url: string | null;
  title: string;
  slug: string;
}

/** The slug of a site's page thread: stable, so readers can watch a thread that does not exist yet. */
export function pageSlug(siteId: number, key: string): string {
  return `e${siteId}-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Is this the slug of an embedded page's thread (not one of our own articles)? */
export const isPageSlug = (slug: string) => /^e\d{1,12}-[0-9a-f]{24}$/.test(slug);

/** Resolves what the embed said about its page; a URL counts only on one of the site's own origins. */
export function resolvePage(site: Site, p: { page?: string; url?: string; title?: string }): PageRef {
  const url = p.url ? normalizePageUrl(p.url) : null;
  const onSite = url !== null && site.origins.includes(new URL(url).origin);
  let key: string;
  if (p.page !== undefined && p.page !== '') {
    if (!PAGE_ID_RE.test(p.page)) throw new AppError('invalid_page', 422, msg('invalid_page'));
    key = `id:${p.page}`;
  } else if (onSite) {
    key = `url:${url}`;
  } else {
    throw new AppError('invalid_page', 422, msg('invalid_page'));
  }
  const title = (p.title ?? '').normalize('NFC').replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ').replace(/\s+/g, ' ').trim();
  return { key, url: onSite ? url : null, title: Array.from(title).slice(0, MAX_TITLE).join('') || (onSite ? url! : key.slice(3)), slug: pageSlug(site.id, key) };
}
