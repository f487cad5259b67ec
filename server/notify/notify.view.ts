// Owns the JSON a reader sees of their reply inbox (GET /api/me/replies, socket reply:received): who answered,
// where, an excerpt of the text. Never an address, never an IP hash.
import type { Article, CommentRow } from '../db/store';
import type { InboxEntry } from '../../contracts/api';

export type { InboxEntry };


const EXCERPT = 140;

export function toInboxEntry(c: CommentRow, article: Pick<Article, 'slug' | 'title'>, readAt: number | null): InboxEntry {
  const text = c.body.replace(/\s+/g, ' ').trim();
  return {
    id: c.id,
    article: { slug: article.slug, title: article.title },
    authorName: c.authorName,
    excerpt: Array.from(text).length > EXCERPT ? `${Array.from(text).slice(0, EXCERPT).join('')}…` : text,
    createdAt: new Date(c.createdAt).toISOString(),
    read: readAt !== null,
    url: `/articles/${encodeURIComponent(article.slug)}#c-${c.id}`,
  };
}
