// Owns the shape of every socket event handler: an ack is required, the per-connection event rate is
// enforced, errors leave as { ok: false, error } acks with the same codes as HTTP. The reader namespace's
// handlers live in one table shared by every connection (SocketEvents); the moderation namespace, a few
// consoles, registers per socket (onEvent).
import type { Socket } from 'socket.io';
import { AppError, ackError, type Ack, type ErrorBody } from '../errors';
import type { Logger } from '../log';
import { msg } from '../i18n/messages';
import type { ConnectionLimiter, RateHolder } from '../security/rate';
import { langOf } from '../i18n/lang';
import { answerIn } from '../i18n/request-lang';
import type { Lang } from '../i18n/strings';

export type Handler<T> = (payload: unknown) => Promise<T>;
/** A handler of the shared table: the socket it answers comes as an argument (no closure per connection). */
export type SocketHandler<T> = (socket: Socket, payload: unknown) => Promise<T>;

export interface HandlerDeps {
  log: Logger;
  /** Events per connection (RATE_SOCKET_EVENTS), counted on the socket. */
  limiter: ConnectionLimiter;
  defaultLang?: Lang;
}

/** A socket's language, worked out once: a connection registers a dozen events, and a reconnect storm is thousands of connections. */
const socketLangs = new WeakMap<Socket, { fallback: Lang; lang: Lang }>();
function socketLang(socket: Socket, fallback: Lang): Lang {
  const known = socketLangs.get(socket);
  if (known?.fallback === fallback) return known.lang;
  const lang = langOf(socket.handshake, fallback);
  socketLangs.set(socket, { fallback, lang });
  return lang;
}

const answered = Promise.resolve();

/**
 * The per-connection rate, then the handler. Kept small, the handler's wait in a function of its own: every event
 * of every reader comes through here, and a reconnect storm made this one of the largest functions V8 optimized
 * (and again after each deopt) while thousands of readers were joining.
 */
function answer<T>(socket: Socket, event: string, deps: HandlerDeps, handler: SocketHandler<T>, payload: unknown, ack: unknown): Promise<void> {
  const reply = typeof ack === 'function' ? (ack as (r: Ack<T>) => void) : undefined;
  const wait = deps.limiter.hit(socket.data as RateHolder);
  if (wait > 0) {
    reply?.({ ok: false, error: { code: 'rate_limited', message: msg('rate_limited', { seconds: wait }), details: { retryAfter: wait } } });
    return answered;
  }
  if (!reply) return answered; // events without an ack are refused silently: there is nowhere to say why
  return settle(socket, event, deps, handler, payload, reply);
}

/** Runs the handler (a throw, sync or async, becomes the error ack) and acks its answer. */
async function settle<T>(socket: Socket, event: string, deps: HandlerDeps, handler: SocketHandler<T>, payload: unknown, reply: (r: Ack<T>) => void): Promise<void> {
  try {
    reply({ ok: true, data: await handler(socket, payload) });
  } catch (err) {
    if (!(err instanceof AppError)) deps.log.error('socket handler failed', { event, err });
    reply(ackError(err, deps.log));
  }
}

/** Registers one acked event on one socket (the moderation namespace). */
export function onEvent<T>(socket: Socket, event: string, deps: HandlerDeps, handler: Handler<T>): void {
  // Acks read in the language the page was opened in (its lang cookie or Accept-Language at the handshake).
  const lang = socketLang(socket, deps.defaultLang ?? 'zh-CN');
  const run: SocketHandler<T> = (_s, payload) => handler(payload);
  socket.on(event, (payload: unknown, ack?: unknown) => answerIn(lang, () => answer(socket, event, deps, run, payload, ack)));
}

export interface SocketEvents {
  /** An acked event: the per-connection rate, then handler; its answer or error goes back as the ack. */
  ack<T>(event: string, deps: HandlerDeps, handler: SocketHandler<T>): void;
  /** A side effect of an event, acked or not (stop typing on join), run before its handler; no answer of its own. */
  signal(event: string, fn: (socket: Socket, payload: unknown) => void): void;
  /** Refuses an event before anything else runs when it answers an error (an embed's writes over its socket). */
  guard(fn: (socket: Socket, event: string) => ErrorBody | undefined): void;
  /** Runs when a socket is about to leave its rooms (presence, typing). */
  disconnecting(fn: (socket: Socket) => void): void;
  /** Connects a new socket to the table: one listener for every event, one for disconnecting. */
  attach(socket: Socket): void;
}

/**
 * The reader namespace's events, registered once: each connection gets one `onAny` listener that dispatches by
 * name, where it had a dozen listeners and closures of its own (in a reconnect storm of 3,000 readers those cost
 * ~6% of the server's CPU). Handlers keep per-socket state in socket.data.
 */
export function createSocketEvents(): SocketEvents {
  const acks = new Map<string, { deps: HandlerDeps; handler: SocketHandler<unknown> }>();
  const signals = new Map<string, ((socket: Socket, payload: unknown) => void)[]>();
  const guards: ((socket: Socket, event: string) => ErrorBody | undefined)[] = [];
  const leaving: ((socket: Socket) => void)[] = [];

  // socket.io calls onAny listeners with the socket as `this` and the event's arguments: (event, payload, ack).
  function dispatch(this: Socket, event: unknown, payload?: unknown, ack?: unknown): void {
    if (typeof event !== 'string') return;
    for (const g of guards) {
      const refusal = g(this, event);
      if (refusal) {
        if (typeof ack === 'function') (ack as (r: Ack<never>) => void)({ ok: false, error: refusal });
        return;
      }
    }
    const sigs = signals.get(event);
    if (sigs) for (const s of sigs) s(this, payload);
    const entry = acks.get(event);
    if (!entry) return;
    const socket = this;
    void answerIn(socketLang(socket, entry.deps.defaultLang ?? 'zh-CN'), () => answer(socket, event, entry.deps, entry.handler, payload, ack));
  }
  function onDisconnecting(this: Socket): void {
    for (const fn of leaving) fn(this);
  }

  return {
    ack(event, deps, handler) {
      if (acks.has(event)) throw new Error(`socket event ${event} registered twice`);
      acks.set(event, { deps, handler: handler as SocketHandler<unknown> });
    },
    signal(event, fn) {
      signals.set(event, [...(signals.get(event) ?? []), fn]);
    },
    guard(fn) {
      guards.push(fn);
    },
    disconnecting(fn) {
      leaving.push(fn);
    },
    attach(socket) {
      socket.onAny(dispatch);
      socket.on('disconnecting', onDisconnecting);
    },
  };
}
