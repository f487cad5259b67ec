// Owns the moderation data types and the ModerationRepo interface (storage for settings, words, bans, reports, audit, queues).
import type { CommentRow, WriteResult } from './rows';
import type { AuditEntry as AuditEntryJson, Ban, QueueName, ReportReason, ReportSummary } from '../../contracts/moderation';

export type { Ban, QueueName, ReportReason, ReportSummary };

export type WordKind = 'banned' | 'suspect';

export interface ModerationSettings {
  moderationMode: 'post' | 'pre';
  /** More links than this holds a comment for review. */
  linkLimit: number;
  /**
   * Report score that hides a comment pending review: open reports summed per distinct network, each
   * network weighing as its most trusted reporter (REPORT_WEIGHT in moderation.service.ts).
   */
  reportThreshold: number;
  /** Hold a link posted by an author with no published comment yet. */
  holdFirstLink: boolean;
  /** Same body from the same author within this many minutes is a duplicate. */
  duplicateWindowMinutes: number;
  /** The reactions readers may give, in the order shown (kinds from REACTION_KINDS). */
  reactionSet: string[];
  /** Heat alarm: an article posting more comments than this per minute (over the last 5 minutes) is hot. */
  heatCommentsPerMinute: number;
  /** Heat alarm: an article with this many open reports is hot. */
  heatOpenReports: number;
}

/** Every reaction a site may offer; the site setting reactionSet picks from these. */
export const REACTION_KINDS = ['agree', 'disagree', 'laugh', 'wow', 'sad', 'angry', 'heart', 'think'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export const DEFAULT_SETTINGS: Readonly<ModerationSettings> = Object.freeze({
  moderationMode: 'post',
  linkLimit: 2,
  reportThreshold: 3,
  holdFirstLink: true,
  duplicateWindowMinutes: 10,
  reactionSet: ['agree', 'disagree', 'laugh', 'wow', 'sad', 'angry'],
  heatCommentsPerMinute: 10,
  heatOpenReports: 5,
});

export interface Word {
  id: number;
  word: string;
  kind: WordKind;
  createdAt: number;
}

/** An audit line as stored: the wire shape (contracts) with its time in milliseconds. */
export type AuditEntry = Omit<AuditEntryJson, 'createdAt'> & { createdAt: number };

export interface QueueQuery {
  queue: QueueName;
  articleId?: number;
  /** Keyset: the last id of the previous page. */
  afterId?: number;
  limit: number;
}

export interface ReportResult {
  /** False when this author had already reported this comment. */
  created: boolean;
  reportCount: number;
  /** Set when this report crossed the threshold and hid the comment. */
  hidden: WriteResult | null;
}

/** An audit line to write. */
export interface AuditInput {
  moderatorId: number | null;
  action: string;
  targetType: string;
  targetId: number | null;
  reason?: string | null;
  details?: unknown;
  at: number;
}

/** A ban with everything that goes with it, written in one transaction (all of it or nothing). */
export interface BanAction {
  bans: Omit<Ban, 'id' | 'liftedAt'>[];
  /** Reject every published or held comment of this author in the same transaction. */
  removeCommentsOf: { authorId: number; moderatorId: number; note: string | null } | null;
  /** Written last; its details get `banIds` and `removed` (the count) added. */
  audit: AuditInput & { details?: Record<string, unknown> };
}

export interface ModerationRepo {
  getSettings(): Promise<Partial<Record<keyof ModerationSettings, string>>>;
  setSettings(values: Partial<Record<keyof ModerationSettings, string>>): Promise<void>;
  listWords(): Promise<Word[]>;
  addWord(word: string, kind: WordKind, at: number): Promise<Word>;
  removeWord(id: number): Promise<Word | undefined>;
  activeBan(authorId: number | null, ipHash: string | null, now: number): Promise<Ban | undefined>;
  activeBansFor(authorIds: number[], now: number): Promise<Ban[]>;
  createBan(b: Omit<Ban, 'id' | 'liftedAt'>): Promise<Ban>;
  liftBan(id: number, by: number, at: number): Promise<Ban | undefined>;
  listBans(now: number, includeInactive: boolean): Promise<Ban[]>;
  /** The names comments were posted under, per author and per network, most recently used first, at most `per` each. */
  namesUsed(keys: { authorIds: number[]; ipHashes: string[] }, per: number): Promise<NamesUsed>;
  getBan(id: number): Promise<Ban | undefined>;
  addReport(r: {
    commentId: number;
    authorId: number;
    reason: ReportReason;
    note: string | null;
    at: number;
    threshold: number;
    /** The reporter's network; reports from one network count once towards the threshold. */
    ipHash: string | null;
    weight: number;
  }): Promise<ReportResult>;
  reportSummaries(commentIds: number[]): Promise<ReportSummary[]>;
  audit(e: AuditInput): Promise<void>;
  /** Bans, removes the author's live comments and writes the audit line atomically. */
  banAuthor(b: BanAction): Promise<{ bans: Ban[]; removed: WriteResult[] }>;
  listAudit(q: { beforeId?: number; limit: number }): Promise<AuditEntry[]>;
  listQueue(q: QueueQuery): Promise<CommentRow[]>;
  queueCounts(articleId?: number): Promise<{ pending: number; reported: number }>;
  /** Visible comments of an author (for "remove all their comments"). */
  liveCommentsOfAuthor(authorId: number): Promise<CommentRow[]>;
  recentOfAuthors(authorIds: number[], perAuthor: number): Promise<CommentRow[]>;
  /**
   * Post times from one network since sinceAt, oldest first. With a limit, only what a rate rule of that limit
   * needs: none while fewer than `limit` are in the window, else the newest `limit` (a store may return more).
   */
  recentTimesByIp(ipHash: string, sinceAt: number, limit?: number): Promise<number[]>;
  /**
   * What every post asks about its sender, in one round trip where the store has them: the active ban (as
   * activeBan) and the network's post times for its rate rule (as recentTimesByIp with a limit).
   */
  postChecks(authorId: number | null, ipHash: string, now: number, ipSinceAt: number, ipLimit: number): Promise<{ ban: Ban | undefined; ipTimes: number[] }>;
  /**
   * The heat alarm, kept in storage so that it holds whichever node runs the check: raises it for the article
   * unless it is up already, with its audit line in the same transaction. True when this call raised it.
   */
  raiseHeatAlarm(articleId: number, audit: AuditInput): Promise<boolean>;
  /** Takes down the alarm of every article not in `hot` (below every threshold again): its next crossing alerts. */
  settleHeatAlarms(hot: number[]): Promise<void>;
}

/** Names an author (by id) or a network (by hash) posted under, most recent first. */
export interface NamesUsed {
  byAuthor: Record<number, string[]>;
  byNetwork: Record<string, string[]>;
}
