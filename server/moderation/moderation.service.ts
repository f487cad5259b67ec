// Owns the moderation use cases: reader reports, moderator actions on comments, bans, article and site
// settings and word lists. Every moderator action is written to the audit log and published live.
import { localWrite } from '../realtime/local-writes';
import type { Actor, Deps } from '../deps';
import type { Article, ArticleSettings, CommentRow, WriteResult } from '../db/store';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { publishWrite } from '../comments/comments.service';
import type { Moderator } from '../db/moderators.types';
import type { Ban, BanAction, ModerationSettings, ReportReason, WordKind } from '../db/moderation.types';
import type { ListedBan } from '../../contracts/moderation';
import { normalizeForMatch } from './words';
import { requireNotBanned } from './ban.guard';

/**
 * How much one report weighs towards the hiding threshold: a reader with published comments counts 1,
 * a cookie with none (free to mint) counts 0.5. Each network counts once, as its heaviest reporter, so
 * fresh cookies cycled on one network add up to 0.5 at most.
 */
export const REPORT_WEIGHT = { established: 1, fresh: 0.5 } as const;

export type ModAction = 'approve' | 'reject' | 'restore' | 'pin' | 'unpin' | 'feature' | 'unfeature';

async function requireComment(deps: Deps, id: number): Promise<CommentRow> {
  const c = await deps.store.comments.get(id);
  if (!c) throw new AppError('comment_not_found', 404, msg('comment_not_found_plain'));
  return c;
}

async function articleOf(deps: Deps, c: CommentRow): Promise<Article> {
  return (await deps.store.articles.getById(c.articleId))!;
}

async function audit(deps: Deps, mod: Moderator | null, action: string, targetType: string, targetId: number | null, reason?: string | null, details?: unknown) {
  await deps.store.moderation.audit({ moderatorId: mod?.id ?? null, action, targetType, targetId, reason, details, at: deps.now() });
  deps.log.info('moderation action', { moderator: mod?.username ?? 'system', action, targetType, targetId });
}

export const reportComment = localWrite(async function reportComment(deps: Deps, id: number, input: { reason: ReportReason; note?: string }, actor: Actor) {
  const c = await deps.store.comments.get(id);
  if (!c || c.status !== 'published') throw new AppError('comment_not_found', 404, msg('comment_not_found'));
  if (actor.authorId !== null && c.authorId === actor.authorId) throw new AppError('cannot_report_own', 422, msg('cannot_report_own'));
  await requireNotBanned(deps, actor);
  const settings = await deps.policy.settings();
  const reporter = actor.authorId === null ? undefined : await deps.store.authors.get(actor.authorId);
  const weight = (reporter?.publishedCount ?? 0) > 0 ? REPORT_WEIGHT.established : REPORT_WEIGHT.fresh;
  const authorId = actor.authorId ?? (await deps.store.authors.ensure(actor.tokenHash!, deps.now(), actor.ipHash));
  const r = await deps.store.moderation.addReport({
    commentId: id,
    authorId,
    reason: input.reason,
    note: input.note || null,
    at: deps.now(),
    threshold: settings.reportThreshold,
    ipHash: actor.ipHash ?? null,
    weight,
  });
  if (!r.created) throw new AppError('already_reported', 409, msg('already_reported'));
  const article = await articleOf(deps, c);
  if (r.hidden) publishWrite(deps, article, r.hidden);
  deps.publish({ type: 'comment.reported', article, commentId: id, reportCount: r.reportCount });
  deps.log.info('comment reported', { id, reason: input.reason, hidden: r.hidden !== null });
  return { id, reported: true as const, authorId };
});

/** One moderator action on one comment; throws 422 when it does not apply to the comment's state. */
export const moderateComment = localWrite(async function moderateComment(deps: Deps, mod: Moderator, id: number, action: ModAction, reason?: string | null): Promise<CommentRow> {
  const c = await requireComment(deps, id);
  const at = deps.now();
  const invalid = (why: string) => new AppError('invalid_state', 422, why, { status: c.status, action });
  let result: WriteResult;
  switch (action) {
    case 'approve':
      if (c.status !== 'pending' && !(c.status === 'published' && c.reportsOpen > 0)) throw invalid(msg('invalid_state_approve'));
      result = await deps.store.comments.setStatus(id, { status: 'published', at, moderatorId: mod.id, note: reason ?? null, resolveReports: true });
      break;
    case 'reject':
      if (c.status !== 'pending' && c.status !== 'published') throw invalid(msg('invalid_state_reject'));
      result = await deps.store.comments.setStatus(id, { status: 'rejected', at, moderatorId: mod.id, note: reason ?? null, resolveReports: true });
      break;
    case 'restore':
      if (c.status !== 'rejected') throw invalid(msg('invalid_state_restore'));
      result = await deps.store.comments.setStatus(id, { status: 'published', at, moderatorId: mod.id, note: reason ?? null, resolveReports: true });
      break;
    case 'pin':
    case 'unpin':
      if (c.status !== 'published') throw invalid(msg('invalid_state_pin'));
      if (c.parentId !== null) throw new AppError('cannot_pin_reply', 422, msg('cannot_pin_reply'));
      result = await deps.store.comments.setPinned(id, action === 'pin', at);
      break;
    case 'feature':
    case 'unfeature':
      if (c.status !== 'published') throw invalid(msg('invalid_state_feature'));
      result = await deps.store.comments.setFeatured(id, action === 'feature', at);
      break;
  }
  const article = await articleOf(deps, c);
  publishWrite(deps, article, result);
  // The log says what changed: a pin changes no status, so it records none; every row names its comment.
  const where = { article: article.slug, excerpt: c.body.slice(0, 60) };
  const change = ['pin', 'unpin', 'feature', 'unfeature'].includes(action) ? {} : { from: c.status, to: result.change.comment.status };
  await audit(deps, mod, `comment.${action}`, 'comment', id, reason, { ...change, ...where });
  deps.publish({ type: 'moderation.changed', commentIds: [id] });
  return result.change.comment;
});

export async function moderateMany(deps: Deps, mod: Moderator, ids: number[], action: 'approve' | 'reject', reason?: string | null) {
  const results: { id: number; ok: boolean; error?: { code: string; message: string } }[] = [];
  for (const id of ids) {
    try {
      await moderateComment(deps, mod, id, action, reason);
      results.push({ id, ok: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ id, ok: false, error: { code: err.code, message: err.message } });
    }
  }
  return results;
}

export interface BanInput {
  commentId: number;
  scope: 'author' | 'network' | 'both';
  reason: string;
  /** Minutes; omitted = permanent. */
  durationMinutes?: number;
  removeComments: boolean;
}

export const banFromComment = localWrite(async function banFromComment(deps: Deps, mod: Moderator, input: BanInput): Promise<{ bans: Ban[]; removed: number }> {
  const c = await requireComment(deps, input.commentId);
  const at = deps.now();
  const expiresAt = input.durationMinutes ? at + input.durationMinutes * 60_000 : null;
  const ban = { reason: input.reason, createdAt: at, expiresAt, createdBy: mod.id };
  const bans: BanAction['bans'] = [];
  if (input.scope !== 'network') bans.push({ ...ban, authorId: c.authorId, ipHash: null });
  if (input.scope !== 'author') {
    if (!c.ipHash) throw new AppError('no_network', 422, msg('no_network'));
    bans.push({ ...ban, authorId: null, ipHash: c.ipHash });
  }
  // Bans, removals and the audit line commit together: a failure leaves no half-done ban behind.
  const done = await deps.store.moderation.banAuthor({
    bans,
    removeCommentsOf: input.removeComments ? { authorId: c.authorId, moderatorId: mod.id, note: input.reason } : null,
    audit: {
      moderatorId: mod.id,
      action: 'author.ban',
      targetType: 'comment',
      targetId: c.id,
      reason: input.reason,
      details: { scope: input.scope, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() },
      at,
    },
  });
  deps.log.info('moderation action', { moderator: mod.username, action: 'author.ban', targetType: 'comment', targetId: c.id });
  if (input.removeComments) {
    const byArticle = new Map<number, WriteResult[]>();
    for (const r of done.removed) {
      const articleId = r.change.comment.articleId;
      byArticle.set(articleId, [...(byArticle.get(articleId) ?? []), r]);
    }
    for (const [articleId, writes] of byArticle) {
      const article = (await deps.store.articles.getById(articleId))!;
      publishWrite(deps, article, ...writes);
    }
    deps.publish({ type: 'moderation.changed', commentIds: done.removed.map((r) => r.change.comment.id) });
  }
  return { bans: done.bans, removed: done.removed.length };
});

/** The ban list, each with the names its author or network used: a moderator recognises "小明", not "作者 #12". */
export async function listBans(deps: Deps, includeInactive: boolean): Promise<ListedBan[]> {
  const bans = await deps.store.moderation.listBans(deps.now(), includeInactive);
  const authorIds = [...new Set(bans.flatMap((b) => (b.authorId === null ? [] : [b.authorId])))];
  const ipHashes = [...new Set(bans.flatMap((b) => (b.authorId === null && b.ipHash !== null ? [b.ipHash] : [])))];
  const names = await deps.store.moderation.namesUsed({ authorIds, ipHashes }, 5);
  return bans.map((b) => ({ ...b, names: (b.authorId !== null ? names.byAuthor[b.authorId] : b.ipHash !== null ? names.byNetwork[b.ipHash] : undefined) ?? [] }));
}

export async function liftBan(deps: Deps, mod: Moderator, id: number): Promise<Ban> {
  const b = await deps.store.moderation.liftBan(id, mod.id, deps.now());
  if (!b) throw new AppError('ban_not_found', 404, msg('ban_not_found'));
  await audit(deps, mod, 'ban.lift', 'ban', id);
  return b;
}

export const updateArticleSettings = localWrite(async function updateArticleSettings(
  deps: Deps,
  mod: Moderator,
  slug: string,
  s: ArticleSettings,
): Promise<Article> {
  const article = await deps.store.articles.getBySlug(slug);
  if (!article) throw new AppError('article_not_found', 404, msg('article_not_found'));
  const r = await deps.store.articles.updateSettings(article.id, s, deps.now());
  deps.publish({ type: 'article.changed', article: r.article, seq: r.seq });
  // Each setting as from → to, so a reset to the site default (null) is logged too, not dropped as empty.
  const changes = (Object.keys(s) as (keyof typeof s)[])
    .filter((k) => s[k] !== undefined)
    .map((k) => ({ key: k, from: article[k] ?? null, to: s[k] ?? null }));
  await audit(deps, mod, 'article.settings', 'article', article.id, null, { ...s, changes, article: article.slug });
  return r.article;
});

export async function updateSiteSettings(deps: Deps, mod: Moderator, s: Partial<ModerationSettings>): Promise<ModerationSettings> {
  const raw = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)]));
  await deps.store.moderation.setSettings(raw);
  deps.policy.invalidate();
  await audit(deps, mod, 'site.settings', 'site', null, null, s);
  return deps.policy.settings();
}

export async function addWord(deps: Deps, mod: Moderator, word: string, kind: WordKind) {
  const normalized = normalizeForMatch(word).trim();
  if (!normalized) throw new AppError('invalid_input', 400, msg('word_empty'), [{ field: 'word', message: msg('field_empty_short') }]);
  const w = await deps.store.moderation.addWord(normalized, kind, deps.now());
  deps.policy.invalidate();
  await audit(deps, mod, 'word.add', 'word', w.id, null, { word: w.word, kind });
  return w;
}

export async function removeWord(deps: Deps, mod: Moderator, id: number) {
  const w = await deps.store.moderation.removeWord(id);
  if (!w) throw new AppError('word_not_found', 404, msg('word_not_found'));
  deps.policy.invalidate();
  await audit(deps, mod, 'word.remove', 'word', id, null, { word: w.word, kind: w.kind });
  return w;
}
