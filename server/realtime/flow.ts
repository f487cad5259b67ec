// Owns reader acknowledgements (application-level flow control): per connection, how much the server has
// emitted and how much the client says it has received; a connection that negotiated acks, is more than the
// bound behind and has not acked for a while is dropped at once (it reconnects and catches up), long before
// the kernel's socket buffers (megabytes per connection) fill and the queue sweep could see anything.
import type { Server, Socket } from 'socket.io';
import type { Logger } from '../log';
import { dropConnection, type EngineConn } from './backpressure';
import { MODERATION_NAMESPACE } from './rooms';

export interface AckBound {
  /** Emitted but not acknowledged, in string length (UTF-16 units: bytes for ASCII, about a third of them for CJK). */
  maxBytes: number;
  maxPackets: number;
  /**
   * How long without an ack a connection past the bound may go on (more than ACK_DELAY_MS): a reader that is
   * behind but still acking (a slow phone, a busy tab) is not dropped for it; one that stopped reading stops acking.
   */
  patienceMs: number;
  /** The clock tick (default TICK_MS); tests pass a long one and tick by hand. */
  tickMs?: number;
}

/** Client -> server, no ack callback: `{ p, b }`, the packets and string length received on this connection so far. */
export const ACK_EVENT = 'flow:ack';
/** The handshake `auth` field a client sets to say it sends acks (protocol version 1). */
export const ACK_AUTH_FIELD = 'acks';
/**
 * What a client promises: an ack as soon as it has received this much since its last one (client/connection.ts
 * ACK_EVERY_*). The bounds must leave room for it and for what is in flight: at least 4 times over.
 */
export const ACK_EVERY_BYTES = 16 * 1024;
export const ACK_EVERY_PACKETS = 50;
/** ... and no later than this after the first message it has not acknowledged. */
export const ACK_DELAY_MS = 1000;
/**
 * Patience is counted in ticks of a coarse timer, not read from the wall clock: when the server itself falls
 * behind (a CPU-starved host), its timers fire late too, and acks waiting in its receive buffers are read
 * between two ticks, so a server that is slow never mistakes its own lag for a reader that stopped.
 */
export const TICK_MS = 250;

interface EnginePacket {
  type: string;
  data?: unknown;
}
type FlowConn = EngineConn & { on(ev: 'packetCreate', f: (p: EnginePacket) => void): void; once(ev: 'close', f: () => void): void };

export interface FlowState {
  sentPackets: number;
  sentBytes: number;
  ackedPackets: number;
  ackedBytes: number;
  /** The client negotiated acks: only then does the ack bound apply (others keep the queue sweep alone). */
  acks: boolean;
  /** Ticks since the last valid ack during which something sent was unacknowledged. */
  idleTicks: number;
  dropping: boolean;
}

export interface FlowControl {
  /** The accounting of a live connection (tests, diagnostics). */
  stateOf(connId: string): FlowState | undefined;
  /** Connections dropped since start: behind the bound, or for a malformed ack. */
  dropped(): number;
  /** Advances the patience clock by one tick (the timer does it every tickMs). */
  tick(): void;
  stop(): void;
}

const sizeOf = (d: unknown): number => (typeof d === 'string' ? d.length : d instanceof Uint8Array ? d.byteLength : 0);

/**
 * A valid ack says the client received more packets than it last said, and never more than was sent.
 * Anything else is a protocol violation: a client that acks honestly never sends one.
 */
function validAck(payload: unknown, st: FlowState): payload is { p: number; b: number } {
  if (typeof payload !== 'object' || payload === null) return false;
  const { p, b } = payload as { p?: unknown; b?: unknown };
  return (
    Number.isSafeInteger(p) &&
    Number.isSafeInteger(b) &&
    (p as number) > st.ackedPackets &&
    (p as number) <= st.sentPackets &&
    (b as number) >= st.ackedBytes &&
    (b as number) <= st.sentBytes
  );
}

export function startFlowControl(io: Server, bound: AckBound, log: Logger): FlowControl {
  const states = new Map<string, FlowState>();
  let total = 0;
  const tickMs = bound.tickMs ?? TICK_MS;
  // Past the bound and silent for more than patienceMs: at least this many ticks with no ack in between
  // (0: dropped as soon as it is past the bound).
  const patienceTicks = bound.patienceMs > 0 ? Math.ceil(bound.patienceMs / tickMs) + 1 : 0;
  // A tick counts only while something sent is unacknowledged: a reader acks everything within ACK_DELAY_MS,
  // so one that was quiet and then gets a burst past the bound (a bulk approval, a large catch-up answer)
  // has its full patience to read and ack it, while one that stopped reading has been silent since the
  // first packet it did not read.
  const tick = () => {
    for (const st of states.values()) {
      if (st.sentPackets > st.ackedPackets) st.idleTicks++;
      else st.idleTicks = 0;
    }
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  // Drops are collected and done once per turn: never inside engine.io's send path.
  const pending: EngineConn[] = [];
  const dropPending = () => {
    for (const conn of pending.splice(0)) {
      if (conn.readyState !== 'open') continue;
      dropConnection(conn);
      total++;
    }
  };
  const drop = (conn: EngineConn, st: FlowState) => {
    st.dropping = true;
    if (pending.push(conn) === 1) setImmediate(dropPending);
  };

  io.engine.on('connection', (conn: FlowConn) => {
    const st: FlowState = { sentPackets: 0, sentBytes: 0, ackedPackets: 0, ackedBytes: 0, acks: false, idleTicks: 0, dropping: false };
    states.set(conn.id, st);
    conn.once('close', () => states.delete(conn.id));
    // Every packet that leaves, broadcasts included: two additions and a few comparisons, no timer.
    conn.on('packetCreate', (p) => {
      if (p.type !== 'message') return;
      st.sentPackets++;
      st.sentBytes += sizeOf(p.data);
      if (!st.acks || st.dropping) return;
      if (st.sentBytes - st.ackedBytes <= bound.maxBytes && st.sentPackets - st.ackedPackets <= bound.maxPackets) return;
      if (st.idleTicks < patienceTicks) return;
      log.warn('socket dropped: not acknowledging', { id: conn.id, packets: st.sentPackets - st.ackedPackets, bytes: st.sentBytes - st.ackedBytes });
      drop(conn, st);
    });
  });

  const wire = (socket: Socket) => {
    const conn = socket.conn as unknown as EngineConn;
    const st = states.get(conn.id);
    if (!st) return;
    if ((socket.handshake.auth as Record<string, unknown> | undefined)?.[ACK_AUTH_FIELD] === 1 && !st.acks) {
      st.acks = true;
      st.idleTicks = 0;
    }
    socket.on(ACK_EVENT, (payload: unknown) => {
      if (st.dropping) return;
      if (!st.acks || !validAck(payload, st)) {
        log.warn('socket dropped: invalid ack', { id: conn.id });
        drop(conn, st);
        return;
      }
      st.ackedPackets = payload.p;
      st.ackedBytes = payload.b;
      st.idleTicks = 0;
    });
  };
  io.of('/').on('connection', wire);
  io.of(MODERATION_NAMESPACE).on('connection', wire);

  return { stateOf: (id) => states.get(id), dropped: () => total, tick, stop: () => clearInterval(timer) };
}
