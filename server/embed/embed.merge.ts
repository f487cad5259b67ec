// Owns merging a site's page thread into another one (a page whose URL changed): the refusals as clear
// errors, the audit line, and what the live readers of both threads hear.
import { localWrite } from '../realtime/local-writes';
import type { Deps } from '../deps';
import type { MergeRefusal, Site } from '../db/store';
import { AppError } from '../errors';
import { msg, type MessageKey } from '../i18n/messages';

/**
 * Up to this many moved comments reach the target's readers as comment:created events, each placed like a
 * new comment; past it they get only the seq of the merge's closing event, see a gap and fill it by the
 * ordinary catch-up join (which, past its own bound, tells them to reload the first page).
 */
export const LIVE_MERGE_MAX = 100;

const REFUSALS: Record<MergeRefusal, { status: number; key: MessageKey }> = {
  not_found: { status: 404, key: 'page_not_found' },
  target_not_found: { status: 404, key: 'merge_target_not_found' },
  same_thread: { status: 422, key: 'merge_same_thread' },
  other_site: { status: 422, key: 'merge_other_site' },
  merged: { status: 409, key: 'merge_merged' },
  closed: { status: 409, key: 'merge_closed' },
};

export interface MergeOutcome {
  from: string;
  into: string;
  moved: number;
  commentCount: number;
}

export const mergePages = localWrite(async function mergePages(deps: Deps, site: Site, fromSlug: string, intoSlug: string, moderatorId: number): Promise<MergeOutcome> {
  const r = await deps.store.embed.mergeThreads({ siteId: site.id, fromSlug, intoSlug, at: deps.now() });
  if (!r.ok) {
    const { status, key } = REFUSALS[r.refusal];
    throw new AppError(key, status, msg(key));
  }
  const { from, into, changes, seq } = r.merge;
  await deps.store.moderation.audit({
    moderatorId,
    action: 'site.page_merge',
    targetType: 'article',
    targetId: into.id,
    details: { site: site.id, from: from.slug, into: into.slug, moved: changes.length },
    at: deps.now(),
  });
  if (changes.length > 0 && changes.length <= LIVE_MERGE_MAX) {
    deps.publish({ type: 'comment.changed', article: into, changes, commentCount: into.commentCount });
  }
  deps.publish({ type: 'article.changed', article: into, seq });
  deps.publish({ type: 'thread.merged', from, into, commentCount: into.commentCount });
  deps.log.info('embed threads merged', { site: site.id, from: from.slug, into: into.slug, moved: changes.length });
  return { from: from.slug, into: into.slug, moved: changes.length, commentCount: into.commentCount };
});
