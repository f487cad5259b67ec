// Owns the storage types of embedding: sites (allowed origins, moderation mode, SSO) and the page threads
// they own (articles rows tied to a site and a page key).
import type { Article, CommentChange, ModerationMode } from './rows';

export interface Site {
  id: number;
  name: string;
  /** Exact origins ("https://news.example.com") whose pages may embed this site's threads. */
  origins: string[];
  /** Given to the site's new threads; null = the site-wide default. */
  moderationMode: ModerationMode | null;
  /** HS256 key for SSO tokens; null = no SSO. */
  ssoSecret: string | null;
  ssoRequired: boolean;
  loginUrl: string | null;
  createdAt: number;
}

export type SiteInput = Omit<Site, 'id' | 'createdAt'>;

export interface NewPageThread {
  siteId: number;
  pageKey: string;
  pageUrl: string | null;
  slug: string;
  title: string;
  moderationMode: ModerationMode | null;
  createdAt: number;
}

export interface PageCount {
  pageKey: string;
  slug: string;
  commentCount: number;
}

export interface PageThread {
  pageKey: string;
  pageUrl: string | null;
  slug: string;
  title: string;
  commentCount: number;
  commentsClosed: boolean;
  createdAt: number;
}

/** A site's recent published comment, for the sidebar widget. */
export interface RecentComment {
  id: number;
  slug: string;
  title: string;
  pageUrl: string | null;
  authorName: string;
  /** The first 200 characters of the text. */
  excerpt: string;
  createdAt: number;
}

/** Merging a site's page thread into another of its threads (a page whose URL changed). */
export interface ThreadMergeInput {
  siteId: number;
  fromSlug: string;
  intoSlug: string;
  at: number;
}

/** Why a merge was refused; nothing changed. */
export type MergeRefusal = 'same_thread' | 'not_found' | 'target_not_found' | 'other_site' | 'merged' | 'closed';

export interface ThreadMerge {
  /** Both threads after the merge: `from` is closed, empty and points at `into`. */
  from: Article;
  into: Article;
  /** One 'created' change per moved comment in the target's event log, in id order (parents first). */
  changes: CommentChange[];
  /** The seq of the 'article' event that closes the merge in the target's log (its seq now). */
  seq: number;
}

export interface EmbedRepo {
  listSites(): Promise<Site[]>;
  getSite(id: number): Promise<Site | undefined>;
  createSite(s: SiteInput, at: number): Promise<Site>;
  updateSite(id: number, s: SiteInput): Promise<Site | undefined>;
  /** The thread of a site's page, if its first comment was accepted; a merged page's answers its target. */
  pageThread(siteId: number, pageKey: string): Promise<Article | undefined>;
  /** Creates the page's thread, or answers the one a concurrent first comment created. */
  createPageThread(p: NewPageThread): Promise<{ article: Article; created: boolean }>;
  /** Removes a page thread that holds no comment and no event (its first comment was refused). */
  dropEmptyThread(articleId: number): Promise<boolean>;
  /** Published comment counts of the site's pages that have a thread (a merged page's: its target's), for at most 100 keys. */
  counts(siteId: number, pageKeys: string[]): Promise<PageCount[]>;
  /** A site's page threads, newest first; merged-away ones are left out (their page shows the target). */
  listPages(siteId: number, limit: number): Promise<PageThread[]>;
  /** Renames a site's page thread; false when it is not one of the site's. */
  renameThread(siteId: number, slug: string, title: string): Promise<boolean>;
  /**
   * Moves every comment of a site's page thread (with its replies, likes, reactions, revisions, picks,
   * pins, reports and notifications, which follow their comment) and its mail subscriptions into another
   * thread of the same site, in one transaction. The target logs a 'created' event per moved comment and
   * an 'article' event; the source forgets its events (its comments are elsewhere: a reader rejoining it
   * starts over), is closed, and resolves to the target from then on (pageThread, counts).
   */
  mergeThreads(m: ThreadMergeInput): Promise<{ ok: true; merge: ThreadMerge } | { ok: false; refusal: MergeRefusal }>;
  /** The slug of the thread this one was merged into, if it was (its old address then leads there). */
  mergedInto(slug: string): Promise<string | undefined>;
  /** The site's newest published comments, newest first. */
  recent(siteId: number, limit: number): Promise<RecentComment[]>;
}
