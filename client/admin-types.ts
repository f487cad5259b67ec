// Owns the console's view of the moderation API's JSON: the shared contracts (contracts/*.d.ts) and the
// smaller route answers declared here.
import type { Role } from '../contracts/moderation';

export type { AdminComment, AuditEntry, Ban, ListedBan, QueueItem, QueueName, ReportSummary, Role } from '../contracts/moderation';
export type { CommentStatus } from '../contracts/api';

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
  slowModeSeconds?: number;
}

export interface SiteSettings {
  moderationMode: 'post' | 'pre';
  linkLimit: number;
  reportThreshold: number;
  holdFirstLink: boolean;
  duplicateWindowMinutes: number;
  reactionSet: string[];
  heatCommentsPerMinute: number;
  heatOpenReports: number;
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
  /** The site's time zone and the words of its time formatter (server/i18n/time.ts). */
  timeZone: string;
  timeWords: Record<string, string>;
}
