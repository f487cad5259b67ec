// Owns attaching Socket.IO: the Origin allow-list and connection rate at the handshake, who the socket
// is (author cookie), article rooms with presence, and the moderation namespace.
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Deps } from '../deps';
import { readAuthorToken, hashToken } from '../identity/author.cookie';
import type { ClientIp } from '../security/client-ip';
import type { IpHasher } from '../security/ip';
import { judgeOrigin } from '../security/origin';
import type { Limiters } from '../security/rate';
import { articleRoom } from './rooms';

export interface SocketData {
  tokenHash: string | null;
  ipHash: string;
  articleId?: number;
  slug?: string;
}

export type YilunSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  deps: Deps;
  limiters: Limiters;
  clientIp: ClientIp;
  ipHash: IpHasher;
}

const PRESENCE_INTERVAL_MS = 1000;

export function createIo(httpServer: HttpServer, opts: RealtimeOptions): { io: Server; presence: Presence } {
  const { deps, limiters } = opts;
  const io = new Server(httpServer, {
    maxHttpBufferSize: deps.config.socketMaxBytes,
    serveClient: true,
    perMessageDeflate: false,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    allowRequest: (req, cb) => {
      // A browser always sends Origin for WebSocket and cross-origin polling; another site's page cannot hide it.
      // A no-cors request without Origin (an <img> pointed at the polling URL) still shows Sec-Fetch-Site or Referer.
      if (judgeOrigin(req.headers, deps.config.allowedOrigins) === 'foreign') {
        deps.log.warn('socket refused: origin', { origin: String(req.headers.origin ?? req.headers.referer ?? '').slice(0, 200) });
        return cb('origin_not_allowed', false);
      }
      // Only the first request of a connection (no sid yet) counts against the per-network connection rate.
      if (!/[?&]sid=/.test(req.url ?? '')) {
        const ip = opts.ipHash(opts.clientIp(req));
        if (limiters.socketConnect.hit(ip) > 0) return cb('rate_limited', false);
      }
      cb(null, true);
    },
  });

  io.use((socket, next) => {
    const token = readAuthorToken(socket.request.headers.cookie);
    socket.data.tokenHash = token ? hashToken(token) : null;
    socket.data.ipHash = opts.ipHash(opts.clientIp(socket.request));
    next();
  });

  const presence = createPresence(io);
  io.on('connection', (socket) => {
    deps.log.debug('socket connected', { id: socket.id });
    socket.on('disconnecting', () => {
      if (socket.data.articleId !== undefined) presence.changed(socket.data.articleId);
    });
    socket.on('disconnect', (reason) => deps.log.debug('socket disconnected', { id: socket.id, reason }));
  });
  return { io, presence };
}

export interface Presence {
  count(articleId: number): number;
  /** Schedules one presence broadcast for the article (at most one per second). */
  changed(articleId: number): void;
  stop(): void;
}

/** Presence is coalesced: 3,000 readers joining at once cost a handful of broadcasts, not 3,000. */
export function createPresence(io: Server): Presence {
  const pending = new Map<number, NodeJS.Timeout>();
  const lastSent = new Map<number, number>();
  const count = (id: number) => io.sockets.adapter.rooms.get(articleRoom(id))?.size ?? 0;
  const send = (id: number) => {
    pending.delete(id);
    lastSent.set(id, Date.now());
    const n = count(id);
    io.to(articleRoom(id)).emit('presence', { count: n });
    if (n === 0) lastSent.delete(id);
  };
  return {
    count,
    changed(id) {
      if (pending.has(id)) return;
      const wait = Math.max(0, (lastSent.get(id) ?? 0) + PRESENCE_INTERVAL_MS - Date.now());
      const t = setTimeout(() => send(id), wait);
      t.unref();
      pending.set(id, t);
    },
    stop() {
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}
