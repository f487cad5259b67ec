// Owns the shape of every socket event handler: an ack is required, the per-connection event rate is
// enforced, errors leave as { ok: false, error } acks with the same codes as HTTP.
import type { Socket } from 'socket.io';
import { AppError, ackError, type Ack } from '../errors';
import type { Logger } from '../log';
import { msg } from '../i18n/messages';
import type { RateLimiter } from '../security/rate';
import { langOf } from '../i18n/lang';
import { answerIn } from '../i18n/request-lang';
import type { Lang } from '../i18n/strings';

export type Handler<T> = (payload: unknown) => Promise<T>;

/** A socket's language, worked out once: a connection registers a dozen events, and a reconnect storm is thousands of connections. */
const socketLangs = new WeakMap<Socket, { fallback: Lang; lang: Lang }>();
function socketLang(socket: Socket, fallback: Lang): Lang {
  const known = socketLangs.get(socket);
  if (known?.fallback === fallback) return known.lang;
  const lang = langOf(socket.handshake, fallback);
  socketLangs.set(socket, { fallback, lang });
  return lang;
}

export function onEvent<T>(socket: Socket, event: string, deps: { log: Logger; limiter: RateLimiter; defaultLang?: Lang }, handler: Handler<T>): void {
  // Acks read in the language the page was opened in (its lang cookie or Accept-Language at the handshake).
  const lang = socketLang(socket, deps.defaultLang ?? 'zh-CN');
  const answer = async (payload: unknown, ack?: unknown) => {
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
  };
  socket.on(event, (payload: unknown, ack?: unknown) => answerIn(lang, () => answer(payload, ack)));
}
