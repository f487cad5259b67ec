// Owns the bound on what the server holds for a socket that does not read: a periodic sweep measures each
// connection's unsent output and drops the connection past the bound (the page reconnects and catches up).
import type { Server } from 'socket.io';
import type { Logger } from '../log';

export interface QueueBound {
  maxBytes: number;
  maxPackets: number;
}

/** How often every connection is measured: a stalled reader at 100 posts/s queues ~100 packets in between. */
export const SWEEP_INTERVAL_MS = 500;

// The parts of engine.io's Socket and ws's WebSocket read here; engine.io declares them private.
interface EnginePacket {
  data?: unknown;
}
interface WsLike {
  bufferedAmount: number;
  terminate(): void;
  _socket?: { resetAndDestroy?(): void } | null;
}
export interface EngineConn {
  id: string;
  readyState: string;
  writeBuffer: EnginePacket[];
  transport: { name: string; socket?: unknown; writable?: boolean };
  close(): void;
}

export interface QueueSize {
  packets: number;
  bytes: number;
}

const wsOf = (conn: EngineConn): WsLike | null => {
  const ws = conn.transport?.socket as Partial<WsLike> | undefined;
  return ws && typeof ws.bufferedAmount === 'number' && typeof ws.terminate === 'function' ? (ws as WsLike) : null;
};

/**
 * What waits to leave for one connection: packets engine.io has not handed to the transport yet
 * (socket.conn.writeBuffer; all of it for long-polling), plus, for WebSocket, the bytes ws and Node hold
 * for the TCP socket (bufferedAmount = net.Socket writableLength + ws sender). Strings count their length
 * (UTF-16 units, close enough for a bound). Counting stops once past the bound.
 */
export function measureQueue(conn: EngineConn, bound: QueueBound): QueueSize {
  const buf = conn.writeBuffer;
  let bytes = wsOf(conn)?.bufferedAmount ?? 0;
  for (let i = 0; i < buf.length && bytes <= bound.maxBytes; i++) {
    const d = buf[i].data;
    if (typeof d === 'string') bytes += d.length;
    else if (d instanceof Uint8Array) bytes += d.byteLength;
  }
  return { packets: buf.length, bytes };
}

/**
 * Closes a connection without sending what is queued: emptying writeBuffer lets engine.io close at once
 * (it would otherwise wait for a drain that never comes). The TCP socket is reset, not ended: a FIN would
 * wait behind megabytes the peer never reads, and the kernel would keep that orphaned buffer (counted in
 * tcp_mem, which every other connection shares) for minutes. Socket.IO reports "forced close".
 */
export function dropConnection(conn: EngineConn): void {
  const ws = wsOf(conn);
  conn.writeBuffer.length = 0;
  conn.close();
  if (ws?._socket?.resetAndDestroy) ws._socket.resetAndDestroy();
  ws?.terminate();
}

export interface Backpressure {
  /** Measures every connection now and drops those over the bound; returns how many it dropped. */
  sweep(): number;
  /** Connections dropped since start. */
  dropped(): number;
  stop(): void;
}

/**
 * `exempt` names connections another bound already owns: a connection held by reader acks (flow.ts) keeps its
 * backlog in engine.io's queue as references to shared broadcast frames, and its ack patience drops it if it
 * stopped reading; counting that backlog here would drop a reader that is only starved by a busy server.
 */
export function startBackpressure(io: Server, bound: QueueBound, log: Logger, intervalMs = SWEEP_INTERVAL_MS, exempt?: (id: string) => boolean): Backpressure {
  let total = 0;
  const clients = () => (io.engine as unknown as { clients: Record<string, EngineConn> }).clients;
  const sweep = () => {
    let n = 0;
    const all = clients();
    for (const id in all) {
      const conn = all[id];
      if (conn.readyState !== 'open' || exempt?.(id)) continue;
      const q = measureQueue(conn, bound);
      if (q.packets <= bound.maxPackets && q.bytes <= bound.maxBytes) continue;
      log.warn('socket dropped: not reading', { id, transport: conn.transport.name, packets: q.packets, bytes: q.bytes });
      dropConnection(conn);
      n++;
    }
    total += n;
    return n;
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return { sweep, dropped: () => total, stop: () => clearInterval(timer) };
}
