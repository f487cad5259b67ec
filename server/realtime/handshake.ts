// Owns what every WebSocket handshake costs the engine beyond its own work: the connection id and the writes.
// A reconnect storm is thousands of handshakes in a few seconds, so each saving here is paid back thousands of times.
import type { IncomingMessage } from 'node:http';
import { randomFillSync } from 'node:crypto';
import type { Server } from 'socket.io';

/** Random bytes per connection id (the engine's own ids carry 12 random bytes too; base64url of 15 bytes is 20 characters). */
const ID_BYTES = 15;
/** Ids per refill of the pool: one 60 KB CSPRNG call for 4,096 handshakes. */
const IDS_PER_FILL = 4096;

/**
 * Connection ids from a pool of CSPRNG bytes refilled synchronously, 4,096 ids at a time. The engine's default keeps
 * 341 ids' worth and refills it on the thread pool; while a storm of handshakes keeps the event loop busy that refill
 * lands late, and every id in between is a synchronous `randomBytes` call of its own (1-2% of the server's time in
 * a 3,000-reader storm). The id is the engine's session id (it authorizes long-polling requests), so it stays
 * unguessable: 120 random bits from the same CSPRNG.
 */
export function createIdPool(idBytes = ID_BYTES, idsPerFill = IDS_PER_FILL): () => string {
  let pool = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at + idBytes > pool.length) {
      // A new buffer each time: an id's bytes are never handed out twice.
      pool = randomFillSync(Buffer.allocUnsafe(idBytes * idsPerFill));
      at = 0;
    }
    const id = pool.toString('base64url', at, at + idBytes);
    at += idBytes;
    return id;
  };
}

const isUpgrade = (req: IncomingMessage) => typeof req.headers.upgrade === 'string' && req.headers.upgrade.toLowerCase() === 'websocket';

/**
 * The handshake's own writes leave together: the 101 response (written when the upgrade is accepted) and the
 * engine's open packet (written a few microtasks later) were two writes, two syscalls and two wake-ups of the
 * client. The socket is corked from the moment the accepted upgrade's headers are about to be written until the
 * event loop's next turn, so both leave in one write. Only accepted WebSocket upgrades: a refused handshake is
 * answered and destroyed before this runs, so its error response is never held back.
 */
export function writeHandshakesOnce(io: Server): void {
  io.engine.on('initial_headers', (_headers: Record<string, string>, req: IncomingMessage) => {
    if (!isUpgrade(req)) return;
    const socket = req.socket;
    if (socket.destroyed) return;
    socket.cork();
    setImmediate(() => socket.uncork());
  });
}

/** Both, for the server's one engine (every namespace's handshakes go through it). */
export function tuneHandshakes(io: Server): void {
  const nextId = createIdPool();
  io.engine.generateId = () => nextId();
  writeHandshakesOnce(io);
}
