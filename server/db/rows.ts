// Owns the storage data types every repo speaks in: articles, comments, authors, events, write results.
import type { CommentStatus, SortOrder } from '../../contracts/api';

export type { CommentStatus, SortOrder };

export type ModerationMode = 'post' | 'pre';

/** An article as lookups return it; its text is read separately (ArticlesRepo.body) by the page alone. */
export interface Article {
  id: number;
  slug: string;
  title: string;
  createdAt: number;
  commentCount: number;
  seq: number;
  moderationMode: ModerationMode | null;
  commentsClosed: boolean;
  /** From the content file's front matter (optional there): the byline, the date, the author's console account. */
  byline?: string | null;
  publishedAt?: number | null;
  authorAccount?: string | null;
  /** Slow mode: seconds between two posts of one author (or network) here; 0 = off. */
  slowModeSeconds: number;
}

/** The badge of a comment a signed-in moderator posted as staff: the article's author, or an editor. */
export type StaffBadge = 'author' | 'editor';

export interface CommentRow {
  id: number;
  articleId: number;
  parentId: number | null;
  rootId: number | null;
  depth: number;
  authorId: number;
  authorName: string;
  replyToName: string | null;
  body: string;
  html: string;
  status: CommentStatus;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  likes: number;
  replyCount: number;
  ipHash: string | null;
  pinnedAt: number | null;
  heldReason: string | null;
  reportCount: number;
  reportsOpen: number;
  moderatedAt: number | null;
  moderatedBy: number | null;
  moderationNote: string | null;
  staff?: StaffBadge | null;
  /** The site whose signed-in user (SSO) wrote it: shown with a verified mark. */
  verifiedSiteId: number | null;
  /** The https avatar their SSO token carried (null for everyone else). */
  verifiedAvatar?: string | null;
  /** When a moderator made it a pick (精选). */
  featuredAt: number | null;
  /** Reaction counts by kind, as stored (JSON text, e.g. {"agree":2}). */
  reactionCounts: string;
  /** 最热 order: likes + every reaction. */
  score: number;
}

export interface Author {
  id: number;
  tokenHash: string;
  createdAt: number;
  publishedCount: number;
  lastIpHash: string | null;
}

export type ArticleEventType = 'created' | 'updated' | 'removed' | 'reaction' | 'article';

export interface ArticleEvent {
  articleId: number;
  seq: number;
  type: ArticleEventType;
  commentId: number | null;
  createdAt: number;
}

/** A change the store made, already committed, with the event seq it was logged under. */
export interface CommentChange {
  seq: number;
  type: ArticleEventType;
  comment: CommentRow;
}

/** What a comment write returns: the comment's own change and any ancestor placeholder that appeared or vanished. */
export interface WriteResult {
  change: CommentChange;
  ancestors: CommentChange[];
  /** The article's published comment count after the write. */
  commentCount: number;
}

export interface NewComment {
  articleId: number;
  parent: CommentRow | null;
  authorId: number | null;
  /** Set when the author has no row yet: created in the same transaction as the comment. */
  newAuthorTokenHash?: string;
  authorName: string;
  body: string;
  html: string;
  status: CommentStatus;
  heldReason: string | null;
  ipHash: string | null;
  createdAt: number;
  staff?: StaffBadge | null;
  /** Set for a site's signed-in user (SSO). */
  verifiedSiteId?: number | null;
  /** Their https avatar, when their SSO token carried one. */
  verifiedAvatar?: string | null;
  /**
   * Slow mode: the author's previous comment in the article must be at least this old at createdAt, checked
   * in the write itself (two posts racing on two nodes cannot both pass); else the insert fails with SlowModeConflict.
   */
  slowModeMs?: number;
}

/** An insert refused by slow mode in the store: the author's latest comment in the article was made at lastAt. */
export class SlowModeConflict extends Error {
  constructor(readonly lastAt: number) {
    super('slow mode: the author posted in this article too recently');
  }
}

/**
 * An insert refused in the write itself because its thread stopped taking comments after the service read it:
 * merged into another thread (`into` is the target's slug) or closed. Nothing of it was stored.
 */
export class ThreadClosedConflict extends Error {
  constructor(readonly reason: 'merged' | 'closed', readonly into: string | null = null) {
    super(reason === 'merged' ? `thread merged into ${into}` : 'thread closed');
  }
}

/** An earlier text of an edited comment (kept by every edit). */
export interface CommentRevision {
  commentId: number;
  body: string;
  status: CommentStatus;
  replacedAt: number;
}

export interface StatusChange {
  status: CommentStatus;
  at: number;
  heldReason?: string | null;
  moderatorId?: number | null;
  note?: string | null;
  /** Mark open reports as resolved (a moderator looked at it). */
  resolveReports?: boolean;
}

export interface PageQuery {
  articleId: number;
  sort: SortOrder;
  /** Keyset position: the last item of the previous page. */
  after?: { id: number; likes?: number };
  limit: number;
  viewerAuthorId: number | null;
}

export interface ArticleSettings {
  moderationMode?: ModerationMode | null;
  commentsClosed?: boolean;
  slowModeSeconds?: number;
}

export interface ArticlesRepo {
  /** The article's text: one paragraph per line. */
  body(id: number): Promise<string>;
  list(): Promise<Article[]>;
  getBySlug(slug: string): Promise<Article | undefined>;
  getById(id: number): Promise<Article | undefined>;
  insert(a: { slug: string; title: string; body: string; createdAt: number } & Pick<Article, 'byline' | 'publishedAt' | 'authorAccount'>): Promise<Article>;
  first(): Promise<Article | undefined>;
  updateSettings(id: number, s: ArticleSettings, at: number): Promise<{ article: Article; seq: number }>;
}

export interface CommentsRepo {
  get(id: number): Promise<CommentRow | undefined>;
  insert(c: NewComment): Promise<WriteResult & { authorId: number }>;
  updateBody(id: number, u: { body: string; html: string; editedAt: number; status: CommentStatus; heldReason: string | null }): Promise<WriteResult>;
  setStatus(id: number, s: StatusChange): Promise<WriteResult>;
  setPinned(id: number, pinned: boolean, at: number): Promise<WriteResult>;
  listTopLevel(q: PageQuery): Promise<CommentRow[]>;
  /** How many top-level comments the pages after `q.after` hold (加载更多 says how many remain). */
  countTopLevel(q: Omit<PageQuery, 'limit'>): Promise<number>;
  listPinned(articleId: number, viewerAuthorId: number | null): Promise<CommentRow[]>;
  /** The first `perRoot` visible replies of each root, in thread order. */
  listFirstReplies(rootIds: number[], perRoot: number, viewerAuthorId: number | null): Promise<CommentRow[]>;
  listReplies(rootId: number, afterId: number, limit: number, viewerAuthorId: number | null): Promise<CommentRow[]>;
  likedBy(authorId: number, commentIds: number[]): Promise<Set<number>>;
  /** Whether this author has a held (pending) comment on the article: their first page then differs from the public one. */
  hasPending(articleId: number, authorId: number): Promise<boolean>;
  /**
   * Likes or unlikes. A new like from a network that already gave `perNetwork.limit` likes to this comment
   * within its window is not stored: the answer then says when the oldest of them leaves the window.
   */
  toggleLike(commentId: number, authorId: number, at: number, perNetwork?: LikeCap): Promise<LikeResult>;
  eventsSince(articleId: number, since: number, limit: number): Promise<ArticleEvent[]>;
  getMany(ids: number[]): Promise<CommentRow[]>;
  /** Recent comments of one author (repeat-post rule, moderation context). */
  recentByAuthor(authorId: number, sinceAt: number, limit: number): Promise<CommentRow[]>;
  pruneEvents(olderThan: number): Promise<number>;
  /** The latest `perComment` earlier texts of each comment, newest first. */
  revisionsOf(commentIds: number[], perComment: number): Promise<CommentRevision[]>;
  /** Makes a comment a pick (精选) or not; logged as an 'updated' event. */
  setFeatured(id: number, featured: boolean, at: number): Promise<WriteResult>;
  /** Published picks of the article, newest pick first. */
  listFeatured(articleId: number, limit: number): Promise<CommentRow[]>;
  /**
   * Adds or removes one reaction of `kind`; a new one from a network that already gave `perNetwork.limit`
   * reactions of that kind to this comment within its window is not stored (as toggleLike).
   */
  toggleReaction(commentId: number, authorId: number, kind: string, at: number, perNetwork?: LikeCap): Promise<ReactionResult>;
  /** The kinds this author gave to each of these comments (only comments with at least one). */
  reactedBy(authorId: number, commentIds: number[]): Promise<Map<number, string[]>>;
  /** The latest creation time of a comment in the article by this author or from this network (slow mode). */
  lastPostAt(articleId: number, authorId: number | null, ipHash: string | null): Promise<number | null>;
  /** Comments created since `sinceAt`, counted per article per bucket (bucket = floor(createdAt / bucketMs)). */
  pulse(sinceAt: number, bucketMs: number): Promise<{ articleId: number; bucket: number; count: number }[]>;
  /** Per article with any: open reports (summed over comments) and held (pending) comments. */
  attention(): Promise<{ articleId: number; openReports: number; held: number }[]>;
}

export type ReactionResult =
  | { on: boolean; counts: Record<string, number>; seq: number; articleId: number; capped?: undefined }
  | { capped: { retryAt: number } };

export interface LikeCap {
  ipHash: string | null;
  limit: number;
  windowMs: number;
}

export type LikeResult = { liked: boolean; likes: number; seq: number; capped?: undefined } | { capped: { retryAt: number } };

export interface AuthorsRepo {
  getByTokenHash(tokenHash: string): Promise<Author | undefined>;
  get(id: number): Promise<Author | undefined>;
  /** The author holding this token, created if new (likes and reports need an identity too). */
  ensure(tokenHash: string, at: number, ipHash: string | null): Promise<number>;
  /**
   * Deletes cookie-only authors created before olderThan that left nothing behind: no comment, like,
   * report or ban. At most `limit` per call; returns how many went.
   */
  pruneIdle(olderThan: number, limit: number): Promise<number>;
}
