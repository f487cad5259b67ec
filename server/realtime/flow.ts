// Owns reader acknowledgements (application-level flow control): per connection, how much the server has
// emitted and how much the client says it has received. A connection that negotiated acks and has owed an ack
// for a moment, or is more than the bound behind without acking, is held (what follows waits in engine.io's
// queue, sharing the broadcast's encoded frame, instead of filling kernel buffers) until its next ack, and
// dropped once its patience has run out past the bound (it reconnects and catches up), long before the kernel's
// socket buffers (megabytes per connection) could fill.
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
/**
 * Past the bound with no ack for this many ticks (up to 250 ms; a reader that keeps up acks every ACK_EVERY_BYTES
 * within a round trip), a connection is held: nothing more is written to it until it acks. A reader that was
 * only slow loses one round trip; one that stopped costs a queued reference per event until its patience ends.
 * One tick, not two: 500 readers that stop at once were written ~250 ms more of comments each (bench stall: the
 * healthy readers' p99 went from 1.33-1.37x to 1.11-1.23x of the run without them).
 */
export const HOLD_TICKS = 1;
/**
 * Before the bound, a reader is also held once it has owed an ack for OWED_ACK_MS: it promised one as soon as it
 * had received ACK_EVERY_BYTES or ACK_EVERY_PACKETS, and that much has been written to it since its last ack.
 * WebSocket only: a long-polling client cannot ack what it has not polled. Its next ack releases it and all that
 * waited leaves in one flush, so a reader that is far away or busy waits at most a round trip for what came in
 * meanwhile, the way TCP's window paces a sender, and only when a burst outruns its acks; one that stopped
 * reading is written an ack's worth and a little more, not the bound's worth. 500 readers that stop at once
 * were each written every comment until the bound (bench stall, 24 KB comments: ~250 KB each into kernel
 * buffers, 125 MB in all; the healthy readers' p99 was 15x the run without them on this machine). Two acks'
 * worth instead of one left the stopped readers twice as much and the healthy p99 higher (bench stall, 2 runs).
 */
export const OWED_ACK_MS = 40;
/** Connections dropped per turn of the event loop (the rest on the next turns). */
const DROP_BATCH = 20;

interface EnginePacket {
  type: string;
  data?: unknown;
}
type FlowConn = EngineConn & { on(ev: 'packetCreate', f: (p: EnginePacket) => void): void; once(ev: 'close', f: () => void): void; flush(): void };

export interface FlowState {
  sentPackets: number;
  sentBytes: number;
  ackedPackets: number;
  ackedBytes: number;
  /** Of what was sent, handed to the transport (the rest waits in engine.io's queue: held, or a poll not yet open). */
  writtenPackets: number;
  writtenBytes: number;
  /** The client negotiated acks: only then does the ack bound apply (others keep the queue sweep alone). */
  acks: boolean;
  /** Ticks since the last valid ack during which something sent was unacknowledged. */
  idleTicks: number;
  /** Behind and silent: output waits in engine.io's queue until the next valid ack (HOLD_TICKS, OWED_ACK_MS). */
  held: boolean;
  /** When what was written since the last ack first reached an ack's worth (performance.now(); 0: it owes none). */
  owedSince: number;
  dropping: boolean;
}

export interface FlowControl {
  /** The accounting of a live connection (tests, diagnostics). */
  stateOf(connId: string): FlowState | undefined;
  /** Connections dropped since start: behind the bound, or for a malformed ack. */
  dropped(): number;
  /** Times a connection was held since start (behind the bound and silent for HOLD_TICKS, or owing an ack for OWED_ACK_MS). */
  held(): number;
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
  const states = new Map<string, { st: FlowState; conn: FlowConn }>();
  let total = 0;
  let holds = 0;
  const tickMs = bound.tickMs ?? TICK_MS;
  // Past the bound and silent for more than patienceMs: at least this many ticks with no ack in between
  // (0: dropped as soon as it is past the bound).
  const patienceTicks = bound.patienceMs > 0 ? Math.ceil(bound.patienceMs / tickMs) + 1 : 0;
  const holdTicks = Math.min(HOLD_TICKS, patienceTicks);
  const behind = (st: FlowState) => st.sentBytes - st.ackedBytes > bound.maxBytes || st.sentPackets - st.ackedPackets > bound.maxPackets;
  // Held only for what it could have acked: a long-polling client between two polls has received nothing yet.
  const owes = (st: FlowState) => st.writtenBytes - st.ackedBytes > bound.maxBytes || st.writtenPackets - st.ackedPackets > bound.maxPackets;
  // Drops are collected and done a few per turn, never inside engine.io's send path: hundreds of readers that
  // stop at once (a proxy, a network) cost the readers who read one short pause per batch, not one long one.
  // A connection waiting for its turn is held, so it costs nothing meanwhile.
  const pending: EngineConn[] = [];
  const dropPending = () => {
    for (const conn of pending.splice(0, DROP_BATCH)) {
      if (conn.readyState !== 'open') continue;
      dropConnection(conn);
      total++;
    }
    if (pending.length > 0) setImmediate(dropPending);
  };
  const drop = (conn: EngineConn, st: FlowState) => {
    st.dropping = true;
    st.held = true;
    if (pending.push(conn) === 1) setImmediate(dropPending);
  };
  /** Holds, or drops once patience has run out, a connection that negotiated acks and is past the bound. */
  const judge = (conn: FlowConn, st: FlowState) => {
    if (!st.acks || st.dropping || !behind(st)) return;
    if (st.idleTicks >= patienceTicks) {
      log.warn('socket dropped: not acknowledging', { id: conn.id, packets: st.sentPackets - st.ackedPackets, bytes: st.sentBytes - st.ackedBytes });
      drop(conn, st);
    } else if (!st.held && st.idleTicks >= holdTicks && owes(st)) {
      st.held = true;
      holds++;
    }
  };
  // A tick counts only while something sent is unacknowledged: a reader acks everything within ACK_DELAY_MS,
  // so one that was quiet and then gets a burst past the bound (a bulk approval, a large catch-up answer)
  // has its full patience to read and ack it, while one that stopped reading has been silent since the
  // first packet it did not read.
  const tick = () => {
    for (const { st, conn } of states.values()) {
      if (st.sentPackets > st.ackedPackets) st.idleTicks++;
      else st.idleTicks = 0;
      judge(conn, st);
    }
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  const owesAck = (st: FlowState) => st.writtenBytes - st.ackedBytes >= ACK_EVERY_BYTES || st.writtenPackets - st.ackedPackets >= ACK_EVERY_PACKETS;
  /** Owed an ack for OWED_ACK_MS (a connection on WebSocket that negotiated acks): held until it acks. */
  const late = (conn: FlowConn, st: FlowState) => st.acks && st.owedSince > 0 && performance.now() - st.owedSince >= OWED_ACK_MS && conn.transport.name === 'websocket';

  io.engine.on('connection', (conn: FlowConn) => {
    const st: FlowState = { sentPackets: 0, sentBytes: 0, ackedPackets: 0, ackedBytes: 0, writtenPackets: 0, writtenBytes: 0, acks: false, idleTicks: 0, held: false, owedSince: 0, dropping: false };
    states.set(conn.id, { st, conn });
    conn.once('close', () => states.delete(conn.id));
    // While held, nothing is handed to the transport; a close releases it (engine.io waits for the queue to drain).
    const flush = conn.flush;
    const close = conn.close as (...args: unknown[]) => void;
    conn.close = (...args: unknown[]) => {
      st.held = false;
      flush.call(conn);
      close.apply(conn, args);
    };
    // engine.io hands the whole queue over whenever the transport is writable.
    conn.flush = () => {
      if (st.held) return;
      if (conn.transport.writable && conn.writeBuffer.length > 0) {
        if (late(conn, st)) {
          st.held = true;
          holds++;
          return;
        }
        st.writtenPackets = st.sentPackets;
        st.writtenBytes = st.sentBytes;
        if (st.owedSince === 0 && owesAck(st)) st.owedSince = performance.now();
      }
      flush.call(conn);
    };
    // Every packet that leaves, broadcasts included: two additions and a few comparisons, no timer.
    conn.on('packetCreate', (p) => {
      if (p.type !== 'message') return;
      st.sentPackets++;
      st.sentBytes += sizeOf(p.data);
      judge(conn, st);
    });
  });

  const wire = (socket: Socket) => {
    const entry = states.get((socket.conn as unknown as EngineConn).id);
    if (!entry) return;
    const { st, conn } = entry;
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
      st.owedSince = owesAck(st) ? performance.now() : 0;
      if (st.held) {
        st.held = false;
        conn.flush();
      }
    });
  };
  io.of('/').on('connection', wire);
  io.of(MODERATION_NAMESPACE).on('connection', wire);

  return { stateOf: (id) => states.get(id)?.st, dropped: () => total, held: () => holds, tick, stop: () => clearInterval(timer) };
}
