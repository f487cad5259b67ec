// Owns the reader-side socket events: join an article (with catch-up since a seq) and the comment
// actions, each calling the same service function as its HTTP route.
import type { Socket } from 'socket.io';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { resolveActor, type TokenActor } from '../identity/actor';
import type { Presence, SocketData } from '../realtime/io';
import { articleRoom, authorRoom, readerRoom } from '../realtime/rooms';
import type { SocketEvents } from '../realtime/socket.handler';
import { enforce, type Limiters } from '../security/rate';
import { reportComment } from '../moderation/moderation.service';
import type { CatchUps } from './comments.catchup';
import type { Article } from '../db/store';
import { deleteComment, editComment, postComment, requireArticle, toggleLike } from './comments.service';
import { editCommentSchema, parseInput, postCommentSchema, reportSchema } from './comments.schema';
import { z } from 'zod';

const joinSchema = z.strictObject({
  article: z.string().min(1).max(100),
  since: z.number().int().min(0).optional(),
});
const idSchema = z.strictObject({ id: z.number().int().positive() });

/**
 * The join a page sends, checked by hand first: every reader of a reconnect storm sends one, and zod's parse was a
 * visible share of it. Anything this does not accept goes through joinSchema, which says what is wrong.
 */
function parseJoin(payload: unknown): z.output<typeof joinSchema> {
  if (typeof payload === 'object' && payload !== null && Object.getPrototypeOf(payload) === Object.prototype) {
    const p = payload as Record<string, unknown>;
    const { article, since } = p;
    if (
      typeof article === 'string' && article.length >= 1 && article.length <= 100 &&
      (since === undefined || (Number.isSafeInteger(since) && (since as number) >= 0)) &&
      Object.keys(p).every((k) => k === 'article' || k === 'since')
    ) {
      return since === undefined ? { article } : { article, since: since as number };
    }
  }
  return parseInput(joinSchema, payload);
}

export function registerCommentEvents(
  events: SocketEvents,
  ctx: { deps: Deps; limiters: Limiters; presence: Presence; catchUps: CatchUps; exempt?: (s: Socket) => Promise<boolean> },
): void {
  const { deps, limiters, presence, catchUps } = ctx;
  const h = { log: deps.log, limiter: limiters.socketEvents, defaultLang: deps.config.defaultLang };
  const dataOf = (socket: Socket) => socket.data as SocketData;

  const actor = async (socket: Socket): Promise<TokenActor> => {
    const data = dataOf(socket);
    if (!data.tokenHash) throw new AppError('identity_required', 401, msg('identity_required'));
    return resolveActor(deps.store, data.tokenHash, data.ipHash);
  };

  /** The article's id, read once per slug: articles are never renamed nor deleted. */
  const articleId = async (slug: string): Promise<number> => {
    const seen = await requireArticle(deps, slug);
    catchUps.remember(seen);
    return seen.id;
  };

  /**
   * Join before reading the article and its log, so that nothing committed in between falls through the gap. The
   * room needs the article's id: a slug seen before gives it without a read (one read per join, not two).
   */
  async function enterRoom(socket: Socket, data: SocketData, slug: string): Promise<Article> {
    const id = catchUps.knownId(slug) ?? (await articleId(slug));
    if (data.articleId !== undefined && data.articleId !== id) {
      await socket.leave(articleRoom(data.articleId));
      presence.changed(data.articleId);
    }
    await socket.join(articleRoom(id));
    return catchUps.articleAfterJoin(slug);
  }

  /** What the join answers, from the article as read after entering its room. */
  async function joinAnswer(socket: Socket, data: SocketData, article: Article, since: number | undefined) {
    catchUps.remember(article);
    data.articleId = article.id;
    data.slug = article.slug;
    const who = data.tokenHash ? await resolveActor(deps.store, data.tokenHash, data.ipHash) : null;
    if (who?.authorId != null) await socket.join([authorRoom(article.id, who.authorId), readerRoom(who.authorId)]);
    presence.changed(article.id);
    const missed = since === undefined ? null : await catchUps.catchUp(article, since, { authorId: who?.authorId ?? null });
    return {
      article: article.slug,
      seq: missed?.seq ?? article.seq,
      presence: await presence.count(article.id),
      commentCount: missed?.article.commentCount ?? article.commentCount,
      commentsClosed: missed?.article.commentsClosed ?? article.commentsClosed,
      slowModeSeconds: article.slowModeSeconds,
      reset: missed?.reset ?? false,
      changes: missed?.changes ?? [],
    };
  }

  // Every reader of a reconnect storm sends one: three small steps, not one large async function (V8 optimized
  // that one, 30-40 ms of compiling each time, three times per storm as new branches were taken).
  events.ack('join', h, (socket, payload) => {
    const data = dataOf(socket);
    const { article: slug, since } = parseJoin(payload);
    // A join may answer a large catch-up: it has its own tight limit, per socket and per network.
    const limited = enforce([limiters.join, data], [limiters.joinPerIp, `join:${data.ipHash}`]);
    const entered = limited ? limited.then(() => enterRoom(socket, data, slug)) : enterRoom(socket, data, slug);
    return entered.then((article) => joinAnswer(socket, data, article, since));
  });

  events.ack('comment:post', h, async (socket, payload) => {
    const data = dataOf(socket);
    if (!data.slug) throw new AppError('not_joined', 409, msg('not_joined'));
    const a = await actor(socket);
    await enforce([limiters.postAttempt, a.ipHash]);
    const { asStaff, ...input } = parseInput(postCommentSchema, payload);
    // A socket carries no moderator session: staff posts go through the HTTP API.
    if (asStaff) throw new AppError('staff_signin_required', 403, msg('staff_signin_required'));
    const r = await postComment(deps, { slug: data.slug, ...input, exempt: (await ctx.exempt?.(socket)) ?? false }, a);
    await socket.join([authorRoom(data.articleId!, r.authorId), readerRoom(r.authorId)]);
    return { comment: r.comment };
  });

  events.ack('comment:edit', h, async (socket, payload) => {
    const { id } = parseInput(idSchema.extend({ body: z.unknown() }), payload);
    const { body } = parseInput(editCommentSchema, { body: (payload as { body: unknown }).body });
    const a = await actor(socket);
    await enforce([limiters.edit, a.tokenHash]);
    return { comment: await editComment(deps, id, body, a) };
  });

  events.ack('comment:delete', h, async (socket, payload) => {
    const { id } = parseInput(idSchema, payload);
    const a = await actor(socket);
    await enforce([limiters.edit, a.tokenHash]);
    return deleteComment(deps, id, a);
  });

  events.ack('comment:like', h, async (socket, payload) => {
    const { id } = parseInput(idSchema, payload);
    const a = await actor(socket);
    await enforce([limiters.like, a.tokenHash], [limiters.like, `ip:${a.ipHash}`]);
    const r = await toggleLike(deps, id, a);
    return { id: r.id, likes: r.likes, liked: r.liked };
  });

  events.ack('comment:report', h, async (socket, payload) => {
    const { id } = parseInput(idSchema.extend({ reason: z.unknown(), note: z.unknown().optional() }), payload);
    const p = payload as { reason: unknown; note?: unknown };
    const input = parseInput(reportSchema, p.note === undefined ? { reason: p.reason } : { reason: p.reason, note: p.note });
    const a = await actor(socket);
    await enforce([limiters.report, a.tokenHash], [limiters.report, `ip:${a.ipHash}`]);
    return reportComment(deps, id, input, a);
  });

  events.signal('leave', (socket) => {
    const data = dataOf(socket);
    if (data.articleId === undefined) return;
    const id = data.articleId;
    void socket.leave(articleRoom(id));
    data.articleId = undefined;
    data.slug = undefined;
    presence.changed(id);
  });
}
