// Owns attaching Socket.IO: the Origin allow-list and connection rate at the handshake, who the socket
// is (author cookie), article rooms with presence, and the moderation namespace.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Deps } from '../deps';
import { readAuthorToken, hashToken } from '../identity/author.cookie';
import type { ClientIp } from '../security/client-ip';
import type { IpHasher } from '../security/ip';
import { judgeOrigin } from '../security/origin';
import { hostAllowed } from '../security/host';
import type { Limiters, RateHolder } from '../security/rate';
import type { SharedRedis } from '../shared/redis';
import { createNetworkConnections, type NetworkConnections } from './connections';
import { createRedisNetworkConnections } from './connections.redis';
import { createPresence, type Presence } from './presence';
import { redisPresence } from './presence.redis';
import { sharedAckParser } from './ack.encoder';
import { whenReady, type Maybe } from '../shared/maybe';
import { tuneHandshakes } from './handshake';

export type { Presence } from './presence';

export interface SocketData extends RateHolder {
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
  /** Set with REDIS_URL: fan-out, presence and connection caps across nodes. */
  redis?: SharedRedis;
  /** Foreign origins that may still connect: the embedding sites' allowed origins (server/embed/). */
  allowOrigin?: (origin: string) => Maybe<boolean>;
}

export function createIo(httpServer: HttpServer, opts: RealtimeOptions): { io: Server; presence: Presence; connections: NetworkConnections } {
  const { deps, limiters } = opts;
  const { redis } = opts;
  const cap = deps.config.socketMaxPerNetwork;
  const connections = redis ? createRedisNetworkConnections(redis, cap) : createNetworkConnections(cap);
  // The handshake, the engine's connection and the socket all ask for the network of one request: worked
  // out (forwarded headers, a keyed hash) once per connection, not three times.
  const networks = new WeakMap<IncomingMessage, string>();
  const networkOf = (req: IncomingMessage): string => {
    let ip = networks.get(req);
    if (ip === undefined) networks.set(req, (ip = opts.ipHash(opts.clientIp(req))));
    return ip;
  };
  const io = new Server(httpServer, {
    maxHttpBufferSize: deps.config.socketMaxBytes,
    // The page loads its own hashed copy of the client (assets), so the engine's bundle and maps stay unserved.
    serveClient: false,
    perMessageDeflate: false,
    // The default wire format; a catch-up shared by a reconnect storm is JSON-encoded once, not once per reader.
    parser: sharedAckParser,
    // A dead connection is noticed within 15 s (was 45 s): presence and the page's status follow it.
    pingInterval: 10_000,
    pingTimeout: 5_000,
    allowRequest: (req, cb) => {
      const answer = (refusal: string | null) => cb(refusal, refusal === null);
      try {
        const refusal = handshakeRefusal(req);
        if (refusal instanceof Promise) refusal.then(answer, () => answer('unavailable'));
        else answer(refusal);
      } catch {
        answer('unavailable');
      }
    },
  });
  tuneHandshakes(io);
  /** The network's cap and connection rate: answered at once when both are in memory (every handshake asks). */
  const capOrRate = (ip: string): Maybe<string | null> =>
    whenReady(connections.full(ip), (full) => (full ? 'too_many_connections' : whenReady(limiters.socketConnect.hit(ip), (wait) => (wait > 0 ? 'rate_limited' : null))));
  /** Why a handshake is refused, or null. The engine asks only for handshakes (an empty or missing sid): each counts. */
  function handshakeRefusal(req: IncomingMessage): Maybe<string | null> {
    if (!hostAllowed(req.headers.host, deps.config.allowedHosts)) return 'host_not_allowed';
    const ip = networkOf(req);
    // A browser always sends Origin for WebSocket and cross-origin polling; another site's page cannot hide it.
    // A no-cors request without Origin (an <img> pointed at the polling URL) still shows Sec-Fetch-Site or Referer.
    if (judgeOrigin(req.headers, deps.config.allowedOrigins) !== 'foreign') return capOrRate(ip);
    const origin = req.headers.origin;
    const embedding = typeof origin === 'string' && opts.allowOrigin ? opts.allowOrigin(origin) : false;
    return whenReady(embedding, (allowed) => {
      if (allowed) return capOrRate(ip);
      deps.log.warn('socket refused: origin', { origin: String(req.headers.origin ?? req.headers.referer ?? '').slice(0, 200) });
      return 'origin_not_allowed';
    });
  }
  // Every emit to a room or namespace also reaches the sockets of the other nodes, through Redis pub/sub.
  // The adapter (like every Redis module) is loaded only when REDIS_URL is set.
  if (redis) io.adapter((require('@socket.io/redis-adapter') as typeof import('@socket.io/redis-adapter')).createAdapter(redis.pub, redis.sub, { key: `${redis.prefix}sio` }));

  // Concurrent handshakes from one network can all pass allowRequest before any has opened: the cap is
  // enforced again where a connection really opens.
  io.engine.on('connection', (raw: { id: string; request: IncomingMessage; close(): void; once(e: 'close', f: () => void): void }) => {
    const ip = networkOf(raw.request);
    raw.once('close', () => connections.close(ip, raw.id));
    void whenReady(connections.open(ip, raw.id), (ok) => {
      if (ok) return;
      deps.log.warn('socket refused: too many connections from one network');
      raw.close();
    });
  });

  io.use((socket, next) => {
    const token = readAuthorToken(socket.request.headers.cookie);
    socket.data.tokenHash = token ? hashToken(token) : null;
    socket.data.ipHash = networkOf(socket.request);
    next();
  });

  const presence = createPresence(io, cap, redis ? redisPresence(redis, deps.log) : undefined);
  // Shared by every socket (EventEmitter calls a listener with the socket as `this`): no closures per connection.
  function leaving(this: YilunSocket): void {
    if (this.data.articleId !== undefined) presence.changed(this.data.articleId);
  }
  function gone(this: YilunSocket, reason: string): void {
    deps.log.debug('socket disconnected', { id: this.id, reason });
  }
  io.on('connection', (socket) => {
    deps.log.debug('socket connected', { id: socket.id });
    socket.on('disconnecting', leaving);
    socket.on('disconnect', gone);
  });
  return { io, presence, connections };
}
