// Owns refusing banned readers outside the post rules: likes and reports check the same bans (by author
// or by network) and answer the same 403 banned as a post, on HTTP and on the socket alike.
import type { Actor, Deps } from '../deps';
import { AppError } from '../errors';
import { banned, type RuleContext } from './moderation.rules';

export async function requireNotBanned(deps: Pick<Deps, 'store' | 'now'> & { config?: { timeZone: string } }, actor: Actor): Promise<void> {
  if (actor.authorId === null && !actor.ipHash) return;
  const ban = await deps.store.moderation.activeBan(actor.authorId, actor.ipHash, deps.now());
  // The ban rule only reads ctx.ban: one wording and one shape for every refused action.
  const v = banned({ ban, timeZone: deps.config?.timeZone } as Pick<RuleContext, 'ban' | 'timeZone'> as RuleContext);
  if (v?.action === 'reject') throw new AppError(v.code, v.status, v.message, v.details);
}
