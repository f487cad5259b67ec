// Presence broadcasts are coalesced: a burst of joins costs one "presence" message per interval, none when the
// count did not change, and the interval grows with the room. The timer is driven by hand: events are counted,
// never timed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createPresence, presenceIntervalMs, type Presence, type PresenceTimer } from '../server/realtime/presence';
import { articleRoom } from '../server/realtime/rooms';

/** A clock and timer that move only when fire() is called. */
function manualTimer() {
  let clock = 1_000_000;
  const queue: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const timer: PresenceTimer = {
    now: () => clock,
    after(ms, fn) {
      const t = { at: clock + ms, fn, cancelled: false };
      queue.push(t);
      return { cancel: () => void (t.cancelled = true) };
    },
  };
  return {
    timer,
    scheduled: () => queue.filter((t) => !t.cancelled).length,
    /** Runs every scheduled broadcast, moving the clock to the last one's time. */
    fire() {
      const due = queue.splice(0).filter((t) => !t.cancelled);
      clock = Math.max(clock, ...due.map((t) => t.at));
      for (const t of due) t.fn();
      return due.map((t) => t.at);
    },
    advance: (ms: number) => void (clock += ms),
  };
}

async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

describe('presence broadcasts', () => {
  let server: http.Server;
  let io: Server;
  let presence: Presence;
  let url: string;
  const clients: Socket[] = [];
  const heard = new Map<Socket, number[]>();
  const manual = manualTimer();

  beforeEach(async () => {
    server = http.createServer();
    io = new Server(server);
    // Each socket joins article 1 as soon as it connects (and its own network, so the cap never applies).
    io.use((socket, next) => {
      socket.data.ipHash = socket.id;
      next();
    });
    io.on('connection', (socket) => {
      void socket.join(articleRoom(1));
      presence.changed(1);
      socket.on('disconnect', () => presence.changed(1));
    });
    presence = createPresence(io, 5, undefined, manual.timer);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    presence.stop();
    await new Promise((r) => io.close(r));
  });

  const connect = async (n: number) => {
    const fresh = Array.from({ length: n }, () => ioClient(url, { transports: ['websocket'], forceNew: true, reconnection: false }));
    for (const c of fresh) {
      heard.set(c, []);
      c.on('presence', (p: { count: number }) => heard.get(c)!.push(p.count));
    }
    clients.push(...fresh);
    await until(() => io.sockets.adapter.rooms.get(articleRoom(1))?.size === clients.length, `${clients.length} sockets in the room`);
    return fresh;
  };
  /** Waits until every given client heard `count` messages. */
  const heardBy = (cs: Socket[], count: number) => until(() => cs.every((c) => heard.get(c)!.length >= count), `${count} presence messages each`);

  it('sends a burst of 30 joins as one update to each reader, and nothing more until the count changes', async () => {
    const readers = await connect(30);
    // Thirty changes, one broadcast waiting.
    expect(manual.scheduled()).toBe(1);
    manual.fire();
    await heardBy(readers, 1);
    expect(readers.map((c) => heard.get(c))).toEqual(readers.map(() => [30]));

    // A change request with nothing changed sends nothing: the next message anyone hears is the next real change.
    manual.advance(presenceIntervalMs(30));
    presence.changed(1);
    manual.fire();
    readers[0].disconnect();
    await until(() => io.sockets.adapter.rooms.get(articleRoom(1))?.size === 29, 'one left');
    manual.fire();
    const stay = readers.slice(1);
    await heardBy(stay, 2);
    expect(stay.map((c) => heard.get(c))).toEqual(stay.map(() => [30, 29]));
  });

  it('sends the first count one interval after the first join, not at once, to everyone who joined by then', async () => {
    const start = manual.timer.now();
    const early = await connect(2);
    // Nothing yet: each joiner's join answer carries the count (a restart's reconnect storm would have been
    // written a broadcast while still joining).
    expect(early.map((c) => heard.get(c))).toEqual([[], []]);
    const late = await connect(3);
    const [at] = manual.fire();
    expect(at - start).toBe(presenceIntervalMs(1));
    await heardBy([...early, ...late], 1);
    expect([...early, ...late].map((c) => heard.get(c))).toEqual([[5], [5], [5], [5], [5]]);
  });

  it('waits one interval after a broadcast before the next one', async () => {
    await connect(3);
    const [first] = manual.fire();
    await connect(1);
    const [second] = manual.fire();
    expect(second - first).toBe(presenceIntervalMs(4));
  });

  it('tells a reader who joined since the last broadcast the count, even when it ends where it was', async () => {
    const [a, b] = await connect(2);
    manual.fire();
    await heardBy([a, b], 1);
    // C joins (3 readers: its join would have answered 3), then A leaves: back to 2 before the broadcast.
    const [c] = await connect(1);
    a.disconnect();
    await until(() => io.sockets.adapter.rooms.get(articleRoom(1))?.size === 2, 'A left');
    manual.fire();
    await heardBy([b], 2);
    await heardBy([c], 1);
    expect(heard.get(b)).toEqual([2, 2]);
    expect(heard.get(c)).toEqual([2]);
  });
});

describe('the presence interval', () => {
  it('is one second up to 500 readers, a second more per 500 beyond, ten at most', () => {
    expect([1, 499, 500, 501, 1250, 3000, 4501, 100_000].map(presenceIntervalMs)).toEqual([1000, 1000, 1000, 2000, 3000, 6000, 10_000, 10_000]);
  });
});
