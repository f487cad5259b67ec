// Owns slow mode: the moderation rule (each author, and each network, posts once per interval in the
// article; replies included) and how an interval is said. Exempt posters (moderators) get no window at all.
import type { Rejection, RuleContext } from '../moderation/moderation.rules';
import { msg } from '../i18n/messages';
import { fill, strings, type Strings } from '../i18n/strings';

/** The intervals the console offers; the API takes any whole number of seconds up to a day. */
export const SLOW_MODE_CHOICES = [0, 30, 120, 600] as const;
export const SLOW_MODE_MAX_SECONDS = 86_400;

/** "2 分钟" / "30 秒": whole minutes when the interval is whole minutes. */
export function sayInterval(seconds: number, t: Strings = strings()): string {
  return seconds % 60 === 0 ? fill(t.intervalMinutes, { n: seconds / 60 }) : fill(t.intervalSeconds, { n: seconds });
}

/**
 * Reads only what the rule context holds (the last post time came from the store), so every node decides
 * alike; the clock is ctx.now. A post exactly one interval after the last one passes.
 */
export function slowMode(ctx: Pick<RuleContext, 'kind' | 'now' | 'slowMode'>): Rejection | undefined {
  const s = ctx.slowMode;
  if (ctx.kind !== 'create' || !s || s.seconds <= 0 || s.lastAt === null) return undefined;
  const wait = Math.ceil((s.lastAt + s.seconds * 1000 - ctx.now) / 1000);
  if (wait <= 0) return undefined;
  return {
    action: 'reject',
    code: 'slow_mode',
    status: 429,
    message: msg('slow_mode', { interval: sayInterval(s.seconds), seconds: wait }),
    retryAfterSeconds: wait,
    details: { retryAfter: wait, slowModeSeconds: s.seconds },
  };
}
