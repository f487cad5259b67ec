// The queue sweep leaves alone connections another bound owns (held by reader acks), and drops the rest past the bound.
import type { Server } from 'socket.io';
import { startBackpressure, type EngineConn } from '../server/realtime/backpressure';
import { createLogger } from '../server/log';

function fakeConn(id: string, packets: number): EngineConn & { closed: boolean } {
  const conn = {
    id,
    readyState: 'open',
    writeBuffer: Array.from({ length: packets }, () => ({ data: 'x'.repeat(1024) })),
    transport: { name: 'polling' },
    closed: false,
    close() {
      conn.closed = true;
    },
  };
  return conn;
}

describe('the queue sweep', () => {
  it('skips a connection named exempt (held by reader acks) and drops one past the bound that is not', () => {
    const held = fakeConn('held', 100);
    const stuck = fakeConn('stuck', 100);
    const io = { engine: { clients: { held, stuck } } } as unknown as Server;
    const bp = startBackpressure(io, { maxBytes: 10 * 1024, maxPackets: 1000 }, createLogger('error', () => undefined), 60_000, (id) => id === 'held');
    try {
      expect(bp.sweep()).toBe(1);
      expect(stuck.closed).toBe(true);
      expect(held.closed).toBe(false);
      expect(held.writeBuffer).toHaveLength(100);
    } finally {
      bp.stop();
    }
  });
});
