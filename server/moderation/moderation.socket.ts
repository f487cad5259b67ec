// Owns the /moderation Socket.IO namespace: only a live moderator session may connect, and every
// event re-checks the session (a logout elsewhere ends it) and the role, answering 401/403 acks.
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { parseInput } from '../comments/comments.schema';
import type { HttpContext } from '../http/http.context';
import { onEvent } from '../realtime/socket.handler';
import { MODERATION_NAMESPACE, moderatorRoom, moderatorSessionRoom } from '../realtime/rooms';
import { hashToken } from '../identity/author.cookie';
import type { Moderator, Role } from '../db/moderators.types';
import { sessionModerator } from './auth.service';
import { readSessionToken } from './session.cookie';
import { moderateComment } from './moderation.service';
import { toQueueItems } from './moderation.queue';

const moderateSchema = z.strictObject({
  id: z.number().int().positive(),
  action: z.enum(['approve', 'reject', 'restore', 'pin', 'unpin', 'feature', 'unfeature']),
  reason: z.string().max(500).optional(),
});
const countsSchema = z.strictObject({ article: z.string().max(100).optional() }).optional();

/** Socket events of the namespace with the role each needs (enumerated by the tests). */
export const MODERATION_EVENTS: Record<string, Role> = { 'comment:moderate': 'moderator', 'queue:counts': 'moderator' };

export function registerModerationNamespace(io: Server, ctx: HttpContext): void {
  const { deps } = ctx;
  const nsp = io.of(MODERATION_NAMESPACE);
  const tokenOf = (socket: Socket) => readSessionToken(socket.request.headers.cookie, ctx.secrets.sessionSecret);
  const who = (socket: Socket) => sessionModerator(deps, tokenOf(socket));

  nsp.use(async (socket, next) => {
    try {
      const me = await who(socket);
      if (!me) return next(Object.assign(new Error('unauthenticated'), { data: { code: 'unauthenticated', status: 401, message: msg('unauthenticated') } }));
      socket.data.moderatorId = me.id;
      // A room per session, so that logging out of one browser ends that browser's sockets only.
      socket.data.sessionHash = hashToken(tokenOf(socket)!);
      next();
    } catch (err) {
      next(err as Error);
    }
  });

  nsp.on('connection', (socket) => {
    void socket.join([moderatorRoom(socket.data.moderatorId as number), moderatorSessionRoom(socket.data.sessionHash as string)]);
    deps.log.info('moderator socket connected', { moderatorId: socket.data.moderatorId });
    const h = { log: deps.log, limiter: ctx.limiters.socketEvents, defaultLang: deps.config.defaultLang };
    const guard = async (role: Role): Promise<Moderator> => {
      const me = await who(socket);
      if (!me) {
        setImmediate(() => socket.disconnect(true));
        throw new AppError('unauthenticated', 401, msg('session_expired'));
      }
      if (role === 'admin' && me.role !== 'admin') throw new AppError('forbidden', 403, msg('forbidden'));
      return me;
    };

    onEvent(socket, 'comment:moderate', h, async (payload) => {
      const me = await guard(MODERATION_EVENTS['comment:moderate']);
      const p = parseInput(moderateSchema, payload);
      const c = await moderateComment(deps, me, p.id, p.action, p.reason);
      return { item: (await toQueueItems(deps, [c]))[0] };
    });

    onEvent(socket, 'queue:counts', h, async (payload) => {
      await guard(MODERATION_EVENTS['queue:counts']);
      const p = parseInput(countsSchema, payload);
      const a = p?.article ? await deps.store.articles.getBySlug(p.article) : undefined;
      if (p?.article && !a) throw new AppError('article_not_found', 404, msg('article_not_found'));
      return { counts: await deps.store.moderation.queueCounts(a?.id) };
    });

    socket.on('disconnect', () => deps.log.info('moderator socket disconnected', { moderatorId: socket.data.moderatorId }));
  });
}
