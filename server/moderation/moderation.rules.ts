// Owns the moderation rules: an ordered list of small pure functions, each (ctx) => verdict | undefined.
// Every new or edited comment runs through all of them; any rejection wins over any hold.
import type { Ban, ModerationSettings } from '../db/moderation.types';
import type { WordMatcher } from './words';
import { msg } from '../i18n/messages';
import { strings } from '../i18n/strings';
import { requestLang } from '../i18n/request-lang';
import { siteTime } from '../i18n/lang';
import { slowMode } from '../heat/slow-mode';

export const NAME_MAX = 40;
export const BODY_MAX = 5000;

export type Verdict =
  | { action: 'reject'; code: string; status: number; message: string; details?: unknown; retryAfterSeconds?: number }
  | { action: 'hold'; reason: string };

export interface RateWindow {
  limit: number;
  windowMs: number;
  /** Creation times of this author's (or network's) stored comments inside the window, oldest first. */
  times: number[];
}

export interface RuleContext {
  now: number;
  kind: 'create' | 'edit';
  authorName: string;
  body: string;
  article: { commentsClosed: boolean; moderationMode: 'post' | 'pre' | null };
  settings: ModerationSettings;
  ban: Ban | undefined;
  words: WordMatcher;
  linkCount: number;
  /** Published comments this author has now; 0 means a first-time author. */
  authorPublishedCount: number;
  /** This author's other recent comments (duplicate rule). */
  recentBodies: { body: string; createdAt: number }[];
  rate: { author: RateWindow; ip: RateWindow | null };
  /** Form-path spam signals: a filled honeypot field, or a submit faster than a person types. */
  spam: { honeypot: boolean; tooFast: boolean };
  /** The site's time zone (TIMEZONE): a ban's end is told in it, never as a raw UTC ISO time. */
  timeZone?: string;
  /** The article's slow mode and this poster's last post there (absent when off or the poster is exempt). */
  slowMode?: { seconds: number; lastAt: number | null };
}

export type Rule = (ctx: RuleContext) => Verdict | undefined;
export type Rejection = Extract<Verdict, { action: 'reject' }>;

const reject = (code: string, status: number, message: string, extra: Partial<Rejection> = {}): Rejection => ({
  action: 'reject',
  code,
  status,
  message,
  ...extra,
});
const hold = (reason: string): Verdict => ({ action: 'hold', reason });

/** Code points, counted without building an array: this runs first, on text up to the 20,000-unit ceiling. */
function length(s: string): number {
  let n = s.length;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) n--;
  }
  return n;
}

export const nameLength = (ctx: Pick<RuleContext, 'authorName'>): Rejection | undefined =>
  length(ctx.authorName) > NAME_MAX ? reject('name_too_long', 422, msg('name_too_long', { max: NAME_MAX }), { details: { max: NAME_MAX } }) : undefined;

export const bodyLength = (ctx: Pick<RuleContext, 'body'>): Rejection | undefined =>
  length(ctx.body) > BODY_MAX ? reject('comment_too_long', 422, msg('comment_too_long', { max: BODY_MAX }), { details: { max: BODY_MAX } }) : undefined;

/**
 * The length rules alone, for the use cases to run before anything else reads the text: rendering, link
 * counting, word matching and the duplicate check never see an over-long body or name.
 */
export function overLength(text: { authorName: string; body: string }): Rejection | undefined {
  return nameLength(text) ?? bodyLength(text);
}

export const closedArticle: Rule = (ctx) => (ctx.article.commentsClosed ? reject('comments_closed', 403, msg('comments_closed')) : undefined);

export const banned: Rule = (ctx) => {
  if (!ctx.ban) return undefined;
  const until = ctx.ban.expiresAt === null ? null : new Date(ctx.ban.expiresAt).toISOString();
  const shown = ctx.ban.expiresAt === null ? '' : siteTime(ctx.timeZone ?? 'Asia/Shanghai', strings(requestLang())).full(ctx.ban.expiresAt);
  return reject('banned', 403, until ? msg('banned_until', { until: shown, reason: ctx.ban.reason }) : msg('banned_forever', { reason: ctx.ban.reason }), {
    details: { reason: ctx.ban.reason, until },
  });
};

function overLimit(w: RateWindow, now: number): number | undefined {
  const inWindow = w.times.filter((t) => t > now - w.windowMs);
  if (inWindow.length < w.limit) return undefined;
  return Math.max(1, Math.ceil((inWindow[inWindow.length - w.limit] + w.windowMs - now) / 1000));
}

/** Stored comments per window; an edit stores none and has its own limit (RATE_EDIT) at the edge. */
export const postRate: Rule = (ctx) => {
  if (ctx.kind !== 'create') return undefined;
  const wait = Math.max(overLimit(ctx.rate.author, ctx.now) ?? 0, ctx.rate.ip ? (overLimit(ctx.rate.ip, ctx.now) ?? 0) : 0);
  return wait > 0 ? reject('rate_limited', 429, msg('rate_limited_post', { seconds: wait }), { retryAfterSeconds: wait, details: { retryAfter: wait } }) : undefined;
};

/** Bodies compare equal when they differ only in white space and width/case. */
export function canonicalBody(body: string): string {
  return body.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Edits run it too (against the author's other comments), so five posts cannot be edited into one spam text. */
export const duplicate: Rule = (ctx) => {
  const since = ctx.now - ctx.settings.duplicateWindowMinutes * 60_000;
  const mine = canonicalBody(ctx.body);
  const dup = ctx.recentBodies.some((r) => r.createdAt >= since && canonicalBody(r.body) === mine);
  return dup ? reject('duplicate_comment', 422, msg('duplicate_comment')) : undefined;
};

export const bannedWords: Rule = (ctx) => {
  const word = ctx.words.find(ctx.body, 'banned') ?? ctx.words.find(ctx.authorName, 'banned');
  return word ? reject('banned_word', 422, msg('banned_word', { word }), { details: { word } }) : undefined;
};

export const spamSignals: Rule = (ctx) => (ctx.spam.honeypot || ctx.spam.tooFast ? hold('spam_suspected') : undefined);

export const suspectWords: Rule = (ctx) =>
  ctx.words.find(ctx.body, 'suspect') || ctx.words.find(ctx.authorName, 'suspect') ? hold('suspect_word') : undefined;

export const tooManyLinks: Rule = (ctx) => (ctx.linkCount > ctx.settings.linkLimit ? hold('too_many_links') : undefined);

export const firstTimeLink: Rule = (ctx) =>
  ctx.settings.holdFirstLink && ctx.linkCount > 0 && ctx.authorPublishedCount === 0 ? hold('first_time_link') : undefined;

export const preModeration: Rule = (ctx) => ((ctx.article.moderationMode ?? ctx.settings.moderationMode) === 'pre' ? hold('pre_moderation') : undefined);

export const RULES: readonly Rule[] = Object.freeze([
  nameLength,
  bodyLength,
  closedArticle,
  banned,
  postRate,
  slowMode,
  duplicate,
  bannedWords,
  spamSignals,
  suspectWords,
  tooManyLinks,
  firstTimeLink,
  preModeration,
]);

/** Runs every rule: the first rejection decides; otherwise the first hold; otherwise publish. */
export function decide(ctx: RuleContext, rules: readonly Rule[] = RULES): Verdict | { action: 'publish' } {
  let firstHold: Verdict | undefined;
  for (const rule of rules) {
    const v = rule(ctx);
    if (!v) continue;
    if (v.action === 'reject') return v;
    firstHold ??= v;
  }
  return firstHold ?? { action: 'publish' };
}
