// Owns the console's view of the moderation API's JSON (mirrors server/moderation/moderation.queue.ts and routes).
export type QueueName = 'pending' | 'reported' | 'published' | 'rejected';
export type CommentStatus = 'published' | 'pending' | 'rejected' | 'deleted';
export type Role = 'admin' | 'moderator';

export interface Ban {
  id: number;
  authorId: number | null;
  ipHash: string | null;
  reason: string;
  createdAt: number;
  expiresAt: number | null;
  createdBy: number | null;
  liftedAt: number | null;
}

export interface AdminComment {
  id: number;
  articleId: number;
  parentId: number | null;
  authorId: number;
  authorName: string;
  body: string;
  /** Sanitized by the server: the only string the console inserts as HTML. */
  html: string;
  status: CommentStatus;
  createdAt: string;
  editedAt: string | null;
  likes: number;
  replyCount: number;
  pinned: boolean;
  heldReason: string | null;
  reportsOpen: number;
  moderationNote: string | null;
  hasNetwork: boolean;
}

export interface ReportSummary {
  reason: 'spam' | 'abuse' | 'off_topic' | 'other';
  count: number;
  notes: string[];
}

export interface QueueItem {
  comment: AdminComment;
  queues: QueueName[];
  article: { slug: string; title: string } | null;
  parent: { id: number; authorName: string; body: string; status: string } | null;
  author: { id: number; recent: { id: number; body: string; status: string; createdAt: string }[]; ban: Ban | null };
  reasons: { heldReason: string | null; reports: ReportSummary[] };
}

export interface Counts {
  pending: number;
  reported: number;
}

export interface PublicModerator {
  id: number;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface AdminArticle {
  slug: string;
  title: string;
  commentCount: number;
  moderationMode: 'post' | 'pre' | null;
  commentsClosed: boolean;
}

export interface AuditEntry {
  id: number;
  moderatorName: string | null;
  action: string;
  targetType: string;
  targetId: number | null;
  reason: string | null;
  details: unknown;
  createdAt: string;
}

export interface SiteSettings {
  moderationMode: 'post' | 'pre';
  linkLimit: number;
  reportThreshold: number;
  holdFirstLink: boolean;
  duplicateWindowMinutes: number;
}

export interface Word {
  id: number;
  word: string;
  kind: 'banned' | 'suspect';
}

export interface ConsoleData {
  me: PublicModerator;
  articles: { slug: string; title: string }[];
  strings: Record<string, string>;
  /** Site display zone, minutes east of UTC. */
  tz: number;
}
