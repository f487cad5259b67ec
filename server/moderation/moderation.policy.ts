// Owns the live moderation policy: site settings and compiled word lists, cached and rebuilt on change,
// and the assembly of a rule context from storage for one comment.
import type { Article, Store } from '../db/store';
import type { Author } from '../db/rows';
import type { RateLimits } from '../config';
import { countLinks } from '../comments/comments.render';
import { DEFAULT_SETTINGS, REACTION_KINDS, type ModerationSettings } from '../db/moderation.types';
import type { RuleContext } from './moderation.rules';
import { compileWords, type WordMatcher } from './words';

export interface ModerationPolicy {
  settings(): Promise<ModerationSettings>;
  words(): Promise<WordMatcher>;
  /** Called after settings or word lists change. */
  invalidate(): void;
}

/** Stored as "agree,disagree,…"; unknown kinds are dropped, an empty list falls back to the default set. */
function parseKinds(raw: string | undefined): string[] {
  const kinds = [...new Set((raw ?? '').split(',').filter((k) => (REACTION_KINDS as readonly string[]).includes(k)))];
  return kinds.length ? kinds : [...DEFAULT_SETTINGS.reactionSet];
}

export function parseSettings(raw: Partial<Record<keyof ModerationSettings, string>>): ModerationSettings {
  const num = (v: string | undefined, d: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : d);
  return {
    moderationMode: raw.moderationMode === 'pre' ? 'pre' : 'post',
    linkLimit: num(raw.linkLimit, DEFAULT_SETTINGS.linkLimit),
    reportThreshold: Math.max(1, num(raw.reportThreshold, DEFAULT_SETTINGS.reportThreshold)),
    holdFirstLink: raw.holdFirstLink === undefined ? DEFAULT_SETTINGS.holdFirstLink : raw.holdFirstLink === 'true',
    duplicateWindowMinutes: num(raw.duplicateWindowMinutes, DEFAULT_SETTINGS.duplicateWindowMinutes),
    reactionSet: parseKinds(raw.reactionSet),
    heatCommentsPerMinute: Math.max(1, num(raw.heatCommentsPerMinute, DEFAULT_SETTINGS.heatCommentsPerMinute)),
    heatOpenReports: Math.max(1, num(raw.heatOpenReports, DEFAULT_SETTINGS.heatOpenReports)),
  };
}

/** Cached for ttlMs so that another node's change shows up soon; this node's own changes invalidate at once. */
export function createModerationPolicy(store: Store, now: () => number, ttlMs = 5000): ModerationPolicy {
  let cache: { at: number; settings: ModerationSettings; words: WordMatcher } | undefined;
  let loading: Promise<NonNullable<typeof cache>> | undefined;
  const load = async () => {
    if (cache && now() - cache.at < ttlMs) return cache;
    loading ??= (async () => {
      const [raw, words] = await Promise.all([store.moderation.getSettings(), store.moderation.listWords()]);
      cache = { at: now(), settings: parseSettings(raw), words: compileWords(words) };
      loading = undefined;
      return cache;
    })();
    return loading;
  };
  return {
    settings: async () => (await load()).settings,
    words: async () => (await load()).words,
    invalidate: () => {
      cache = undefined;
    },
  };
}

export interface ContextInput {
  kind: 'create' | 'edit';
  article: Article;
  authorName: string;
  body: string;
  authorId: number | null;
  /** The author row, when the caller has it already (read with the actor): not read again. */
  author?: Author;
  ipHash: string;
  /** The comment being edited: left out of the duplicate check and the rate window. */
  commentId?: number;
  /** The edited comment is published now: the first-link rule counts only the author's other published comments. */
  editedIsPublished?: boolean;
  spam?: { honeypot: boolean; tooFast: boolean };
  /** Moderators post past slow mode. */
  exempt?: boolean;
}

export async function buildRuleContext(
  deps: { store: Store; policy: ModerationPolicy; now: () => number; rateLimits: RateLimits; timeZone?: string },
  input: ContextInput,
): Promise<RuleContext> {
  const { store, policy, rateLimits } = deps;
  const now = deps.now();
  const settings = await policy.settings();
  const lookback = Math.max(settings.duplicateWindowMinutes * 60_000, rateLimits.postPerAuthor.windowMs);
  const slow = input.kind === 'create' && !input.exempt && input.article.slowModeSeconds > 0;
  const [words, { ban, ipTimes }, author, recent, lastAt] = await Promise.all([
    policy.words(),
    // The ban and the network's rate in one read: every post asks both (PostgreSQL: one round trip fewer per post).
    store.moderation.postChecks(input.authorId, input.ipHash, now, now - rateLimits.postPerIp.windowMs, rateLimits.postPerIp.limit),
    input.authorId === null ? undefined : input.author?.id === input.authorId ? input.author : store.authors.get(input.authorId),
    input.authorId === null ? [] : store.comments.recentByAuthor(input.authorId, now - lookback, 200),
    // Per author only: a network is often shared by many readers (offices, carrier NAT), who would share one
    // slot per interval. A fresh cookie per post is still bounded by the per-network post rate.
    slow && input.authorId !== null ? store.comments.lastPostAt(input.article.id, input.authorId, null) : null,
  ]);
  const others = recent.filter((c) => c.id !== input.commentId);
  return {
    now,
    timeZone: deps.timeZone,
    kind: input.kind,
    authorName: input.authorName,
    body: input.body,
    article: { commentsClosed: input.article.commentsClosed, moderationMode: input.article.moderationMode },
    settings,
    ban,
    words,
    linkCount: countLinks(input.body),
    authorPublishedCount: Math.max(0, (author?.publishedCount ?? 0) - (input.editedIsPublished ? 1 : 0)),
    recentBodies: others.map((c) => ({ body: c.body, createdAt: c.createdAt })),
    rate: {
      author: { ...rateLimits.postPerAuthor, times: others.map((c) => c.createdAt).sort((a, b) => a - b) },
      ip: { ...rateLimits.postPerIp, times: ipTimes },
    },
    spam: input.spam ?? { honeypot: false, tooFast: false },
    slowMode: slow ? { seconds: input.article.slowModeSeconds, lastAt } : undefined,
  };
}
