// Owns the shape of every socket event handler: an ack is required, the per-connection event rate is
// enforced, errors leave as { ok: false, error } acks with the same codes as HTTP.
import type { Socket } from 'socket.io';
import { AppError, ackError, type Ack } from '../errors';
import type { Logger } from '../log';
import { msg } from '../i18n/messages';
import type { RateLimiter } from '../security/rate';

export type Handler<T> = (payload: unknown) => Promise<T>;

export function onEvent<T>(socket: Socket, event: string, deps: { log: Logger; limiter: RateLimiter }, handler: Handler<T>): void {
  socket.on(event, async (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (r: Ack<T>) => void) : undefined;
    const wait = await deps.limiter.hit(socket.id);
    if (wait > 0) {
      reply?.({ ok: false, error: { code: 'rate_limited', message: msg('rate_limited', { seconds: wait }), details: { retryAfter: wait } } });
      return;
    }
    if (!reply) return; // events without an ack are refused silently: there is nowhere to say why
    try {
      reply({ ok: true, data: await handler(payload) });
    } catch (err) {
      if (!(err instanceof AppError)) deps.log.error('socket handler failed', { event, err });
      reply(ackError(err, deps.log));
    }
  });
}
