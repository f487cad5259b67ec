// Owns the heat alarm and the console's pulse: each article's comments per minute over the last hour, open
// reports and held comments; an article crossing the site's threshold (rate over the last 5 minutes, or open
// reports) raises one live alert per crossing in the console, written to the audit log. The check runs on the
// node holding the 'heat-alarm' lease, and which alarms are up is kept in the store (heat_alarms), so the lease
// moving to another node, or a restart, neither raises one crossing twice nor forgets it.
import type { Deps } from '../deps';
import type { ArticlePulse } from '../../contracts/moderation';

export type { ArticlePulse };

export const PULSE_MINUTES = 60;
/** The rate compared with the threshold is the average over this many recent minutes. */
export const RATE_MINUTES = 5;
export const HEAT_CHECK_MS = 15_000;
const MINUTE = 60_000;


export interface Pulse {
  at: string;
  thresholds: { commentsPerMinute: number; openReports: number };
  articles: ArticlePulse[];
}

export async function readPulse(deps: Pick<Deps, 'store' | 'now' | 'policy'>): Promise<Pulse> {
  return (await readPulseWithIds(deps)).pulse;
}

/** The pulse, and the article ids behind its slugs (the alarm's record is kept by id). */
async function readPulseWithIds(deps: Pick<Deps, 'store' | 'now' | 'policy'>): Promise<{ pulse: Pulse; ids: Map<string, number> }> {
  const now = deps.now();
  const current = Math.floor(now / MINUTE);
  const [articles, buckets, attention, settings] = await Promise.all([
    deps.store.articles.list(),
    deps.store.comments.pulse((current - PULSE_MINUTES + 1) * MINUTE, MINUTE),
    deps.store.comments.attention(),
    deps.policy.settings(),
  ]);
  const byArticle = new Map<number, number[]>();
  for (const b of buckets) {
    const i = Math.floor(b.bucket) - (current - PULSE_MINUTES + 1);
    if (i < 0 || i >= PULSE_MINUTES) continue;
    let row = byArticle.get(b.articleId);
    if (!row) byArticle.set(b.articleId, (row = new Array<number>(PULSE_MINUTES).fill(0)));
    row[i] = b.count;
  }
  const att = new Map(attention.map((a) => [a.articleId, a]));
  const out = articles.map((a): ArticlePulse => {
    const perMinute = byArticle.get(a.id) ?? new Array<number>(PULSE_MINUTES).fill(0);
    const rate = perMinute.slice(-RATE_MINUTES).reduce((x, y) => x + y, 0) / RATE_MINUTES;
    const openReports = att.get(a.id)?.openReports ?? 0;
    const reasons: ArticlePulse['reasons'] = [];
    if (rate > settings.heatCommentsPerMinute) reasons.push('rate');
    if (openReports >= settings.heatOpenReports) reasons.push('reports');
    return {
      slug: a.slug,
      title: a.title,
      perMinute,
      rate,
      openReports,
      held: att.get(a.id)?.held ?? 0,
      slowModeSeconds: a.slowModeSeconds,
      moderationMode: a.moderationMode,
      hot: reasons.length > 0,
      reasons,
    };
  });
  // The hottest first: those over a threshold, then by rate.
  out.sort((x, y) => Number(y.hot) - Number(x.hot) || y.rate - x.rate || x.slug.localeCompare(y.slug));
  const pulse = { at: new Date(now).toISOString(), thresholds: { commentsPerMinute: settings.heatCommentsPerMinute, openReports: settings.heatOpenReports }, articles: out };
  return { pulse, ids: new Map(articles.map((a) => [a.slug, a.id])) };
}

export interface HeatWatch {
  /** Reads the pulse, sends it to the console, and alerts for each article that has just crossed. */
  check(): Promise<ArticlePulse[]>;
  start(): void;
  stop(): void;
}

/**
 * Alerts once per crossing: an article stays "hot" (no new alert) until it is below every threshold again. The
 * store decides (raiseHeatAlarm answers true once per crossing, whichever node asks, and writes the audit line
 * with it); only then does this node send the live alert.
 */
export function createHeatWatch(deps: Deps, intervalMs = HEAT_CHECK_MS): HeatWatch {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ArticlePulse[]> | undefined;
  const run = async (): Promise<ArticlePulse[]> => {
    const { pulse, ids } = await readPulseWithIds(deps);
    deps.publish({ type: 'heat.pulse', pulse });
    const hot = pulse.articles.filter((a) => a.hot);
    await deps.store.moderation.settleHeatAlarms(hot.map((a) => ids.get(a.slug)!));
    const crossed: ArticlePulse[] = [];
    for (const a of hot) {
      const details = { article: a.slug, reasons: a.reasons, rate: a.rate, openReports: a.openReports, thresholds: pulse.thresholds };
      const audit = { moderatorId: null, action: 'article.heat_alarm', targetType: 'article', targetId: null, details, at: deps.now() };
      if (!(await deps.store.moderation.raiseHeatAlarm(ids.get(a.slug)!, audit))) continue;
      crossed.push(a);
      deps.log.info('heat alarm', { article: a.slug, reasons: a.reasons.join(',') });
      deps.publish({ type: 'heat.alarm', alarm: { ...a, at: pulse.at } });
    }
    return crossed;
  };
  const check = () => (running ??= run().finally(() => (running = undefined)));
  return {
    check,
    start() {
      timer = setInterval(() => {
        void deps.store
          .tryLease('heat-alarm', intervalMs * 2)
          .then((mine) => (mine ? check() : undefined))
          .catch((err: unknown) => deps.log.warn('heat check failed', { err: String(err) }));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
