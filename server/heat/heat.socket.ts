// Owns the reader socket events of the heated-thread tools: `typing` (no payload, no ack: a keystroke
// signal, throttled per socket apart from the action budget) and `comment:react` { id, kind }.
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { msg } from '../i18n/messages';
import { resolveActor } from '../identity/actor';
import type { SocketData } from '../realtime/io';
import type { SocketEvents } from '../realtime/socket.handler';
import { enforce, type Limiters } from '../security/rate';
import { parseInput } from '../comments/comments.schema';
import { REACTION_KINDS } from '../db/moderation.types';
import { toggleReaction } from './heat.service';
import type { Typing } from './typing';

/** A socket's typing signals closer together than this are ignored (the page sends one every 2 s at most). */
const TYPING_MIN_GAP_MS = 1000;
const reactSchema = z.strictObject({ id: z.number().int().positive(), kind: z.enum(REACTION_KINDS) });

/** What a socket's typing signals left behind (kept on the socket: the handlers are shared by every connection). */
interface TypingData extends SocketData {
  typingIn?: number;
  lastTyping?: number;
}

export function registerHeatEvents(events: SocketEvents, ctx: { deps: Deps; limiters: Limiters; typing: Typing }): void {
  const { deps, limiters, typing } = ctx;

  const stopTyping = (socket: Socket) => {
    const data = socket.data as TypingData;
    if (data.typingIn !== undefined) typing.stopped(data.typingIn, socket.id);
    data.typingIn = undefined;
  };

  events.signal('typing', (socket) => {
    const data = socket.data as TypingData;
    if (data.articleId === undefined || !data.slug) return;
    const now = deps.now();
    if (now - (data.lastTyping ?? 0) < TYPING_MIN_GAP_MS && data.typingIn === data.articleId) return;
    data.lastTyping = now;
    if (data.typingIn !== undefined && data.typingIn !== data.articleId) stopTyping(socket);
    data.typingIn = data.articleId;
    typing.typed({ id: data.articleId, slug: data.slug }, socket.id);
  });
  events.signal('join', stopTyping);
  events.signal('leave', stopTyping);
  events.disconnecting(stopTyping);

  events.ack('comment:react', { log: deps.log, limiter: limiters.socketEvents }, async (socket, payload) => {
    const data = socket.data as SocketData;
    const { id, kind } = parseInput(reactSchema, payload);
    if (!data.tokenHash) throw new AppError('identity_required', 401, msg('identity_required'));
    const a = await resolveActor(deps.store, data.tokenHash, data.ipHash);
    await enforce([limiters.like, a.tokenHash], [limiters.like, `ip:${a.ipHash}`]);
    const r = await toggleReaction(deps, id, kind, a);
    return { id: r.id, kind: r.kind, on: r.on, reactions: r.reactions, seq: r.seq };
  });
}
