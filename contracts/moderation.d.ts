// The moderation API's JSON, declared once for the server and the console script. Declarations only.
import type { CommentStatus } from './api';

export type QueueName = 'pending' | 'reported' | 'published' | 'rejected';
export type Role = 'admin' | 'moderator';
export type ReportReason = 'spam' | 'abuse' | 'off_topic' | 'other';

export interface Ban {
  id: number;
  authorId: number | null;
  ipHash: string | null;
  reason: string;
  createdAt: number;
  /** null = permanent */
  expiresAt: number | null;
  createdBy: number | null;
  liftedAt: number | null;
}

/** A ban as GET /api/admin/bans lists it: with the names its author (or network) posted under, newest first. */
export interface ListedBan extends Ban {
  names: string[];
}

export interface ReportSummary {
  commentId: number;
  reason: ReportReason;
  count: number;
  notes: string[];
}

/** A comment as moderators see it: everything, including what readers no longer see. */
export interface AdminComment {
  id: number;
  articleId: number;
  parentId: number | null;
  depth: number;
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
  /** A pick (精选). */
  featured?: boolean;
  heldReason: string | null;
  reportCount: number;
  reportsOpen: number;
  moderatedAt: string | null;
  moderationNote: string | null;
  hasNetwork: boolean;
}

export interface QueueItem {
  comment: AdminComment;
  queues: QueueName[];
  article: { slug: string; title: string } | null;
  parent: { id: number; authorName: string; body: string; status: string } | null;
  author: { id: number; recent: { id: number; body: string; status: string; createdAt: string }[]; ban: Ban | null; mailSubscribed?: boolean };
  reasons: { heldReason: string | null; reports: ReportSummary[] };
  /** Earlier texts of an edited comment, newest first (plain text: the console shows it as text). */
  revisions: { body: string; status: CommentStatus; replacedAt: string }[];
}

/** One line of the audit log (GET /api/admin/audit). */
export interface AuditEntry {
  id: number;
  moderatorId: number | null;
  moderatorName: string | null;
  action: string;
  targetType: string;
  targetId: number | null;
  reason: string | null;
  details: unknown;
  createdAt: string;
}

/** One article's pulse in the console's 热度 view (GET /api/admin/pulse, heat:pulse). */
export interface ArticlePulse {
  slug: string;
  title: string;
  /** Comments per minute, oldest first; the last entry is the current minute. */
  perMinute: number[];
  /** Average comments per minute over the last few minutes (the rate compared with the threshold). */
  rate: number;
  openReports: number;
  held: number;
  slowModeSeconds: number;
  moderationMode: 'post' | 'pre' | null;
  hot: boolean;
  /** Why it is hot: the rate, the open reports, or both. */
  reasons: ('rate' | 'reports')[];
}
