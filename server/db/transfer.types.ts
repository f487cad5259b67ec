// Owns the storage contract of imports and exports (issue 14): what server/transfer/ may ask of any store.
import type { CommentRow, CommentStatus } from './store';
import type { NewComment } from './rows';

/** A thread of another system, mapped to an article by slug (created when missing). */
export interface ImportArticle {
  slug: string;
  title: string;
  createdAt: number;
}

/** One comment of another system, already converted to our text; its parent named by import key. */
export interface ImportComment {
  /** Where it came from ('disqus:123'): stored once, so a second import of the same file adds nothing. */
  key: string;
  /** The parent's import key; null for top-level. The parent is stored already or earlier in the same batch. */
  parentKey: string | null;
  articleSlug: string;
  /** Stands for the author's identity (a hash of their email or name in the source system). */
  authorTokenHash: string;
  authorName: string;
  body: string;
  html: string;
  status: Extract<CommentStatus, 'published' | 'rejected'>;
  createdAt: number;
  ipHash: string | null;
}

export interface ImportBatchResult {
  inserted: number;
  /** Keys stored by an earlier import: left as they were. */
  existing: number;
  articlesCreated: number;
}

/** The tables of a full export, in the order a restore must write them (parents before the rows that name them). */
export const EXPORT_TABLES = [
  'moderators',
  'articles',
  'authors',
  'comments',
  'reactions',
  'comment_reactions',
  'reports',
  'comment_revisions',
  'article_events',
  'bans',
  'audit_log',
  'site_settings',
  'words',
] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

/** Row order inside each exported table (the same on every store, so exports compare byte for byte). */
export const EXPORT_ORDER: Readonly<Record<ExportTable, string>> = Object.freeze({
  moderators: 'id',
  articles: 'id',
  authors: 'id',
  comments: 'id',
  reactions: 'comment_id, author_id, kind',
  comment_reactions: 'comment_id, author_id, kind',
  reports: 'comment_id, author_id',
  comment_revisions: 'id',
  article_events: 'article_id, seq',
  bans: 'id',
  audit_log: 'id',
  site_settings: 'key',
  words: 'id',
});

/** One stored row as its columns name it (snake_case), values as stored. */
export type ExportRow = Record<string, string | number | null>;

export interface TransferRepo {
  /**
   * One transaction: creates the missing articles, then inserts each comment whose key is new, through the
   * same write path as a posted comment (counts, reply counts, published counts and the event log stay true).
   * A reply deeper than maxDepth hangs on its deepest ancestor that may still take a reply.
   */
  importBatch(b: { articles: ImportArticle[]; comments: ImportComment[]; maxDepth: number }): Promise<ImportBatchResult>;
  /**
   * Every row of every export table, tables in EXPORT_TABLES order, rows in primary-key order, all read from
   * one snapshot (writes of others meanwhile are not seen).
   */
  exportRows(): AsyncIterable<{ table: ExportTable; row: ExportRow }>;
  /** Writes rows verbatim (ids kept), in one transaction; for restoring an export into an empty database. */
  restoreRows(rows: { table: ExportTable; row: ExportRow }[]): Promise<void>;
  /** No article and no comment yet (a restore only goes into an empty database). */
  isEmpty(): Promise<boolean>;
  /** The newest published comments, of one article or (null) of all, newest first, with their article. */
  recentPublished(articleId: number | null, limit: number): Promise<FeedComment[]>;
  /** Changes whenever a feed could: the article's seq, or (null) the sum of every article's seq. */
  feedVersion(articleId: number | null): Promise<number>;
  /** One author's comments of any status but deleted, oldest first, after `afterId` (keyset pages). */
  listByAuthor(authorId: number, afterId: number, limit: number): Promise<FeedComment[]>;
}

export type FeedComment = CommentRow & { slug: string; title: string };

/** An imported comment as both stores insert it: a new author per source identity, no held reason, its own time. */
export function importedComment(c: ImportComment, articleId: number, parent: CommentRow | null): NewComment {
  return {
    articleId,
    parent,
    authorId: null,
    newAuthorTokenHash: c.authorTokenHash,
    authorName: c.authorName,
    body: c.body,
    html: c.html,
    status: c.status,
    heldReason: null,
    ipHash: c.ipHash,
    createdAt: c.createdAt,
  };
}
