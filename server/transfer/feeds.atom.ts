// Owns writing Atom 1.0 feeds of published comments: every user string escaped for XML, and characters XML
// cannot carry at all (most C0 controls, lone surrogates, U+FFFE/FFFF) removed first.
import type { FeedComment } from '../db/transfer.types';
import { fill, strings } from '../i18n/strings';

// Everything outside XML 1.0's Char production.
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xmlText(s: string): string {
  return s.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface FeedInput {
  /** Absolute URL of the site (no trailing slash). */
  base: string;
  /** This feed's own path, e.g. /comments.atom. */
  selfPath: string;
  /** The page the feed is about. */
  pagePath: string;
  title: string;
  /** When the feed last changed if it has no entries. */
  emptyUpdated: number;
  comments: FeedComment[];
}

export function renderAtom(f: FeedInput): string {
  const t = strings();
  const updated = f.comments.reduce((m, c) => Math.max(m, c.editedAt ?? c.createdAt), 0) || f.emptyUpdated;
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <title>${xmlText(f.title)}</title>`,
    `  <id>${xmlText(f.base + f.selfPath)}</id>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(f.base + f.selfPath)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(f.base + f.pagePath)}"/>`,
    `  <updated>${iso(updated)}</updated>`,
    `  <generator>${xmlText(t.siteName)}</generator>`,
  ];
  for (const c of f.comments) {
    const link = `${f.base}/articles/${encodeURIComponent(c.slug)}#c-${c.id}`;
    out.push(
      '  <entry>',
      `    <title>${xmlText(fill(t.feedEntry, { name: c.authorName, title: c.title }))}</title>`,
      `    <id>${xmlText(link)}</id>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(link)}"/>`,
      `    <published>${iso(c.createdAt)}</published>`,
      `    <updated>${iso(c.editedAt ?? c.createdAt)}</updated>`,
      `    <author><name>${xmlText(c.authorName)}</name></author>`,
      // Our stored html is already safe markup; as type="html" it travels escaped once more.
      `    <content type="html">${xmlText(c.html)}</content>`,
      '  </entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}
