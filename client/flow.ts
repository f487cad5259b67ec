// Owns the page's side of reader acks (server/realtime/flow.ts): it tells the server how much it has received
// on the current connection, so that a page that stops reading (a frozen tab) is dropped early and catches up
// when it reconnects, instead of the server holding megabytes for it. No DOM: the bench and tests use it too.

/** Keep in step with server/realtime/flow.ts ACK_EVERY_* (a test compares them). */
export const ACK_EVERY_BYTES = 16 * 1024;
export const ACK_EVERY_PACKETS = 50;
/** Anything received stays unacknowledged at most this long (server/realtime/flow.ts ACK_DELAY_MS). */
export const ACK_DELAY_MS = 1000;
/** The handshake `auth` that tells the server this client acks (protocol version 1). */
export const ACK_AUTH = { acks: 1 };

interface EngineLike {
  on(event: 'message', fn: (d: unknown) => void): void;
}
interface AckingSocket {
  connected: boolean;
  io: { engine: EngineLike; on(event: 'open', fn: () => void): void };
  emit(event: 'flow:ack', payload: { p: number; b: number }): void;
}

const sizeOf = (d: unknown): number => (typeof d === 'string' ? d.length : ((d as { byteLength?: number; size?: number }).byteLength ?? (d as { size?: number }).size ?? 0));

/**
 * Counts every message of each new connection (the manager opens a new engine for every reconnect) and
 * sends `flow:ack { p, b }` (packets and string length received so far) once ACK_EVERY_* more have arrived,
 * or ACK_DELAY_MS after the first message it has not acknowledged yet: so a page that reads never leaves
 * anything unacknowledged for long, and the server can tell one that stopped. Call it right after io(...),
 * before the first connection opens. Costs a counter per message and at most one timer a second.
 */
export function sendAcks(sock: { connected: boolean }): void {
  const socket = sock as AckingSocket;
  const manager = socket.io;
  manager.on('open', () => {
    const engine = manager.engine;
    let p = 0;
    let b = 0;
    let ackedP = 0;
    let ackedB = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const ack = () => {
      // Only on the connection that carried them: an ack queued across a reconnect would claim too much.
      if (p === ackedP || !socket.connected || manager.engine !== engine) return;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      ackedP = p;
      ackedB = b;
      socket.emit('flow:ack', { p, b });
    };
    // Runs after the message was handled: socket.io-client listens to "data", emitted just before "message".
    engine.on('message', (d) => {
      p++;
      b += sizeOf(d);
      if (p - ackedP >= ACK_EVERY_PACKETS || b - ackedB >= ACK_EVERY_BYTES) ack();
      else if (timer === null) timer = setTimeout(() => ((timer = null), ack()), ACK_DELAY_MS);
    });
  });
}
