// The JSON that crosses the wire, declared once for the server (which builds it) and the browser
// scripts (which read it). Declarations only: nothing here is compiled or shipped.

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** A socket acknowledgement: the same error shape as HTTP. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export type SortOrder = 'newest' | 'oldest' | 'top';

/** Storage statuses; the public JSON calls 'rejected' 'removed'. */
export type CommentStatus = 'published' | 'pending' | 'rejected' | 'deleted';
/** 'hidden': held for review (e.g. hidden by reports), shown to others as a placeholder while it has replies. */
export type PublicStatus = 'published' | 'pending' | 'deleted' | 'removed' | 'hidden';

/** A comment as the API, the socket events and both renderers (server and browser) see it. */
export interface CommentJson {
  id: number;
  parentId: number | null;
  rootId: number | null;
  depth: number;
  authorName: string;
  replyToName: string | null;
  body: string;
  html: string;
  createdAt: string;
  editedAt: string | null;
  likes: number;
  replyCount: number;
  status: PublicStatus;
  pinned: boolean;
  /** Only true in a response or event meant for the comment's own author. */
  mine: boolean;
  liked: boolean;
  editableUntil: string | null;
  /** Posted by a signed-in moderator as staff: 'author' (the article's author) or 'editor'. Absent otherwise. */
  staff?: 'author' | 'editor';
  /** Written by a site's signed-in user (SSO, server/embed/). */
  verified?: boolean;
  /** A verified author's https avatar (from the site's SSO token): shown with referrerpolicy=no-referrer. */
  avatar?: string;
  /** A moderator's pick (精选). */
  featured: boolean;
  /** Reaction counts by kind (kinds with none are left out). */
  reactions: Record<string, number>;
  replies?: CommentJson[];
}

/** comment:created, comment:updated and comment:removed. */
export interface CommentEvent {
  seq: number;
  article: string;
  id: number;
  /** The article's published comment count after the change. */
  count: number;
  /** null when the comment is gone for this audience; a placeholder when it stays for its replies. */
  comment: CommentJson | null;
}

/** seq:advanced: the article's seq moved by a change this reader is not shown (someone's held comment). */
/** `thread:merged`, to the readers and count widgets of a page thread merged into another of its site. */
export interface ThreadMerged {
  /** The merged-away thread's slug. */
  article: string;
  /** The thread that took its comments (the page resolves to it from now on). */
  into: string;
  /** The target's published comment count after the merge. */
  count: number;
}

export interface SeqAdvanced {
  seq: number;
  article: string;
}

/** What the article page hands its script (the <script type="application/json" id="yl-data"> block). */
export interface PageData {
  slug: string;
  seq: number;
  sort: SortOrder;
  nextCursor: string | null;
  /** Top-level comments on the pages after this one (加载更多（还有 N 条）). */
  remaining: number;
  commentCount: number;
  commentsClosed: boolean;
  /** Slow mode's interval in seconds (0 = off). */
  slowModeSeconds: number;
  hasIdentity: boolean;
  nest: number;
  tz: number;
  /** IANA zone every time is shown in (TIMEZONE). */
  timeZone: string;
  strings: Record<string, string>;
  comments: CommentJson[];
}

/** A reply in the reader's inbox (GET /api/me/replies, socket reply:received). Never an address or IP hash. */
export interface InboxEntry {
  /** The reply's comment id. */
  id: number;
  article: { slug: string; title: string };
  authorName: string;
  excerpt: string;
  createdAt: string;
  read: boolean;
  /** The reply on its article page. */
  url: string;
}
