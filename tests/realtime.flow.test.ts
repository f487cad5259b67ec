// Reader acks (server/realtime/flow.ts, client/connection.ts): a client that negotiated acks and stops
// acknowledging is dropped once it is past the bound, and catches up exactly once on reconnect; a reader
// that acks is never dropped; a bad ack costs one check and the connection; an ack resets the accounting.
import request from 'supertest';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { Socket as ServerSocket } from 'socket.io';
import { sendAcks, ACK_DELAY_MS as CLIENT_DELAY_MS, ACK_EVERY_BYTES as CLIENT_EVERY_BYTES, ACK_EVERY_PACKETS as CLIENT_EVERY_PACKETS } from '../client/flow';
import { ACK_DELAY_MS, ACK_EVENT, ACK_EVERY_BYTES, ACK_EVERY_PACKETS, OWED_ACK_MS, type FlowState } from '../server/realtime/flow';
import { emitAck, nextEvent, reader, sleep, useTestServer, TEST_SLUG, type TestServer } from './helpers/server';

const BOUND = 128 * 1024;
/** About 8,000 UTF-16 units per comment event (body and its HTML): 17 of them pass the bound. */
const BIG = '评'.repeat(4000);
/** The same length in ASCII: a third of the bytes, so a gap of a bound's worth still fits one catch-up answer. */
const BIG_ASCII = 'a reader stops. '.repeat(250);

interface Created {
  seq: number;
  id: number;
}

interface Client {
  socket: Socket;
  /** What this client has received on its connection (packets, string length), counted as the page counts it. */
  received: { p: number; b: number };
}

/** A socket.io client like the page's: `acks` sets the handshake's auth.acks; `page` also sends acks as the page does. */
async function connect(s: TestServer, opts: { acks: boolean; page?: boolean }): Promise<Client> {
  const socket = ioClient(s.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    extraHeaders: { origin: s.origin },
    ...(opts.acks ? { auth: { acks: 1 } } : {}),
  });
  s.sockets.push(socket);
  const received = { p: 0, b: 0 };
  socket.io.on('open', () =>
    socket.io.engine.on('message', (d: unknown) => {
      received.p++;
      received.b += typeof d === 'string' ? d.length : 0;
    }),
  );
  if (opts.page) sendAcks(socket);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, received };
}

/**
 * A client that negotiated acks and sends none by itself (the test acks by hand), joined to the test article:
 * the ids of the comments it has received so far, and the server's accounting of its connection.
 */
async function joinedSilent(s: TestServer): Promise<Client & { got: Set<number>; st: FlowState }> {
  const client = await connect(s, { acks: true });
  expect((await emitAck(client.socket, 'join', { article: TEST_SLUG })).ok).toBe(true);
  const got = new Set<number>();
  client.socket.on('comment:created', (e: Created) => got.add(e.id));
  return { ...client, got, st: s.app.flow.stateOf(client.socket.io.engine.id)! };
}

function serverSocket(s: TestServer, client: Socket): ServerSocket {
  return s.app.io.of('/').sockets.get(client.id!)!;
}

/** Resolves with the reason the server gave when it ended this socket. */
function serverReason(s: TestServer, client: Socket): Promise<string> {
  return new Promise((resolve) => serverSocket(s, client).once('disconnect', resolve));
}

async function post(author: ReturnType<typeof reader>, n: number, tag: string, body = BIG): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await author.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '写手', body: `${tag}-${i} ${body}` });
    expect(r.status).toBe(201);
    ids.push(r.body.comment.id);
  }
  return ids;
}

describe('reader acks', () => {
  const s = useTestServer({ env: { SOCKET_MAX_UNACKED_BYTES: String(BOUND), SOCKET_ACK_PATIENCE_MS: '0' } });

  it('states the same ack cadence in the page and the server, with room for it in the smallest bound', () => {
    expect([CLIENT_EVERY_BYTES, CLIENT_EVERY_PACKETS, CLIENT_DELAY_MS]).toEqual([ACK_EVERY_BYTES, ACK_EVERY_PACKETS, ACK_DELAY_MS]);
    expect(BOUND).toBeGreaterThanOrEqual(4 * ACK_EVERY_BYTES);
  });

  it('drops a reader that stops acking past the bound; rejoining with its last seq it gets every comment exactly once', async () => {
    const { socket: silent } = await connect(s, { acks: true });
    expect((await emitAck(silent, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const live: Created[] = [];
    silent.on('comment:created', (e: Created) => live.push(e));
    const reason = serverReason(s, silent);
    let dropped = false;
    void reason.then(() => (dropped = true));

    const author = reader(s);
    const posted: number[] = [];
    // It is held after an ack's worth (OWED_ACK_MS), so what it missed is about a bound's worth: in ASCII that
    // fits one catch-up answer (CATCH_UP_MAX_BYTES; in CJK, three bytes a unit, the answer would be a reset).
    for (let round = 0; round < 40 && !dropped; round++) posted.push(...(await post(author, 1, `r${round}`, BIG_ASCII)));
    expect(await reason).toBe('forced close');
    expect(s.app.flow.dropped()).toBe(1);
    // Dropped just past the bound (about 8,000 units an event): nothing piled up for it.
    expect(posted.length).toBeLessThan(BOUND / 8000 + 4);
    posted.push(...(await post(author, 3, 'after', BIG_ASCII)));

    // The highest seq up to which this reader saw every event, as the page tracks it.
    const seen = new Set(live.map((e) => e.seq));
    let since = Math.min(...live.map((e) => e.seq)) - 1;
    while (seen.has(since + 1)) since++;
    const { socket: back } = await connect(s, { acks: true });
    const r = await emitAck<{ changes: Created[]; reset: boolean }>(back, 'join', { article: TEST_SLUG, since });
    expect(r.ok).toBe(true);
    expect(r.data!.reset).toBe(false);
    const got = [...live.filter((e) => e.seq <= since), ...r.data!.changes].map((e) => e.id);
    expect(got.sort((a, b) => a - b)).toEqual([...posted].sort((a, b) => a - b));
  });

  it('drops many readers that stop at once, a batch per turn, and keeps the one that reads', async () => {
    const silent = await Promise.all(Array.from({ length: 45 }, () => connect(s, { acks: true })));
    const { socket: healthy } = await connect(s, { acks: true, page: true });
    for (const c of [...silent.map((x) => x.socket), healthy]) expect((await emitAck(c, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const reasons = Promise.all(silent.map((c) => serverReason(s, c.socket)));
    let all = false;
    void reasons.then(() => (all = true));
    const author = reader(s);
    for (let round = 0; round < 40 && !all; round++) await post(author, 1, `m${round}`);
    expect(new Set(await reasons)).toEqual(new Set(['forced close']));
    expect(s.app.flow.dropped()).toBe(45);
    expect(healthy.connected).toBe(true);
  });

  it('never drops a reader that acks as the page does, however far past the bound the flow goes', async () => {
    const { socket: healthy } = await connect(s, { acks: true, page: true });
    expect((await emitAck(healthy, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const got = new Set<number>();
    healthy.on('comment:created', (e: Created) => got.add(e.id));
    let reason: string | null = null;
    serverSocket(s, healthy).once('disconnect', (why) => (reason = why));

    const author = reader(s);
    const posted: number[] = [];
    // Four times the bound, in steps small enough that the reader has read each before the next.
    for (let round = 0; round < 16; round++) {
      const ids = await post(author, 4, `h${round}`);
      posted.push(...ids);
      if (!got.has(ids[3])) await nextEvent(healthy, 'comment:created', (e: Created) => e.id === ids[3], 10_000);
    }
    const st = s.app.flow.stateOf(healthy.io.engine.id)!;
    expect(reason).toBeNull();
    expect(healthy.connected).toBe(true);
    expect(st.sentBytes).toBeGreaterThan(4 * BOUND);
    expect(st.ackedBytes).toBeGreaterThan(3 * BOUND);
    expect(s.app.flow.dropped()).toBe(0);
    expect(posted.filter((id) => !got.has(id))).toEqual([]);
  });

  it('resets the accounting on an ack: what is unacknowledged afterwards is only what came after it', async () => {
    const { socket: client, received } = await connect(s, { acks: true });
    expect((await emitAck(client, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const got = new Set<number>();
    client.on('comment:created', (e: Created) => got.add(e.id));
    const ids = await post(reader(s), 5, 'a');
    if (!got.has(ids[4])) await nextEvent(client, 'comment:created', (e: Created) => e.id === ids[4]);
    const st = s.app.flow.stateOf(client.io.engine.id)!;
    // The server counted what the client counted (plus at most a presence update still on its way).
    expect(st.sentPackets).toBeGreaterThanOrEqual(received.p);
    expect(st.sentBytes - received.b).toBeLessThan(100);
    expect(st.sentBytes - st.ackedBytes).toBeGreaterThan(5 * 8000);

    const ack = { ...received };
    client.emit(ACK_EVENT, ack);
    // Packets are handled in order: once this join is answered, the ack has been applied.
    expect((await emitAck(client, 'join', { article: TEST_SLUG })).ok).toBe(true);
    expect([st.ackedPackets, st.ackedBytes]).toEqual([ack.p, ack.b]);
    expect(st.sentBytes - st.ackedBytes).toBeLessThan(1000);
    expect(client.connected).toBe(true);
  });

  it.each([
    ['not an object', 'x'],
    ['missing counts', {}],
    ['a negative count', { p: -1, b: 0 }],
    ['a fraction', { p: 1.5, b: 10 }],
    ['more packets than were sent', { p: 1_000_000, b: 10 }],
    ['more bytes than were sent', { p: 1, b: 1e12 }],
    ['a count that does not move forward', { p: 0, b: 0 }],
  ])('drops a connection whose ack is %s, and nothing else changes', async (_what, payload) => {
    const { socket: bad } = await connect(s, { acks: true });
    const { socket: other } = await connect(s, { acks: true });
    const st = s.app.flow.stateOf(bad.io.engine.id)!;
    const reason = serverReason(s, bad);
    bad.emit(ACK_EVENT, payload);
    expect(await reason).toBe('forced close');
    expect([st.ackedPackets, st.ackedBytes]).toEqual([0, 0]);
    expect((await emitAck(other, 'join', { article: TEST_SLUG })).ok).toBe(true);
    expect(s.app.flow.dropped()).toBe(1);
  });

  it('bounds a flood of acks: the first that does not move forward ends the connection, the rest cost nothing', async () => {
    const { socket: flooder, received } = await connect(s, { acks: true });
    const st = s.app.flow.stateOf(flooder.io.engine.id)!;
    const reason = serverReason(s, flooder);
    for (let i = 0; i < 1000; i++) flooder.emit(ACK_EVENT, { p: received.p, b: received.b });
    expect(await reason).toBe('forced close');
    expect([st.ackedPackets, st.ackedBytes]).toEqual([received.p, received.b]);
    expect(s.app.flow.dropped()).toBe(1);
  });

  it('drops an ack from a client that did not negotiate acks', async () => {
    const { socket: old } = await connect(s, { acks: false });
    const reason = serverReason(s, old);
    old.emit(ACK_EVENT, { p: 1, b: 1 });
    expect(await reason).toBe('forced close');
  });

  it('keeps an old client that never acks (no auth.acks) while it keeps up, far past the ack bound', async () => {
    const { socket: old } = await connect(s, { acks: false });
    expect((await emitAck(old, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const got = new Set<number>();
    old.on('comment:created', (e: Created) => got.add(e.id));
    const author = reader(s);
    for (let round = 0; round < 8; round++) {
      const ids = await post(author, 4, `o${round}`);
      if (!got.has(ids[3])) await nextEvent(old, 'comment:created', (e: Created) => e.id === ids[3], 10_000);
    }
    expect(s.app.flow.stateOf(old.io.engine.id)!.sentBytes).toBeGreaterThan(2 * BOUND);
    expect(old.connected).toBe(true);
    expect(s.app.flow.dropped()).toBe(0);
  });
});

const METRICS_TOKEN = 'metrics-token-for-flow-tests-0123';

describe('reader acks: patience', () => {
  const s = useTestServer({ env: { SOCKET_MAX_UNACKED_BYTES: String(BOUND), SOCKET_ACK_PATIENCE_MS: '600000', METRICS_TOKEN } });

  it('holds a reader past the bound that stops acking: what follows waits for its next ack, and it is dropped once its patience has run out', async () => {
    const { socket: slow, received, got, st } = await joinedSilent(s);
    const author = reader(s);
    const before = await post(author, Math.ceil((2 * BOUND) / 8000), 'p');
    // Two ticks without an ack, past the bound: held (the server's own timer may have done it already).
    s.app.flow.tick();
    s.app.flow.tick();
    expect(st.held).toBe(true);
    expect(s.app.flow.held()).toBe(1);

    const held = await post(author, 3, 'held');
    expect(st.sentPackets - st.writtenPackets).toBeGreaterThanOrEqual(3);
    expect(held.filter((id) => got.has(id))).toEqual([]);
    expect(slow.connected).toBe(true);
    // Its acks release them: nothing is lost (it acks by hand, as far as it has read, until it has them all).
    for (let i = 0; i < 100 && !got.has(held[2]); i++) {
      if (received.p > st.ackedPackets) slow.emit(ACK_EVENT, { ...received });
      await sleep(100);
    }
    expect([...before, ...held].filter((id) => !got.has(id))).toEqual([]);
    expect(slow.connected).toBe(true);

    // 600 s of 250 ms ticks without an ack: the patience clock only moves on the server's own timer.
    await post(author, Math.ceil((2 * BOUND) / 8000), 'q');
    for (let i = 0; i <= 600_000 / 250 + 1; i++) s.app.flow.tick();
    const reason = serverReason(s, slow);
    await post(author, 1, 'last');
    expect(await reason).toBe('forced close');
    expect(s.app.flow.dropped()).toBe(1);
  });

  it('holds a reader that has owed an ack for OWED_ACK_MS, long before the bound; its ack releases what waited', async () => {
    const { socket: quiet, received, got, st } = await joinedSilent(s);
    const author = reader(s);
    // One event past an ack's worth at once (each "<" is four units in the HTML), a sixth of the bound.
    const first = await post(author, 1, 'o', '<评> '.repeat(1200));
    expect(st.writtenBytes - st.ackedBytes).toBeGreaterThanOrEqual(ACK_EVERY_BYTES);
    expect(st.held).toBe(false);
    await sleep(OWED_ACK_MS + 30);
    const held = await post(author, 2, 'owed');
    expect(st.held).toBe(true);
    expect(st.sentBytes - st.ackedBytes).toBeLessThan(BOUND);
    // Operators see it: /metrics counts holds (and drops) since the last scrape, as a counter.
    const scrape = await request(s.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(scrape.text).toMatch(/yilun_socket_flow_total\{outcome="held"\} [1-9]/);
    expect(scrape.text).toMatch(/yilun_socket_flow_total\{outcome="dropped_unacked"\} 0/);
    expect(st.sentPackets - st.writtenPackets).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 50 && !first.every((id) => got.has(id)); i++) await sleep(20);
    expect(first.filter((id) => !got.has(id))).toEqual([]);
    expect(held.filter((id) => got.has(id))).toEqual([]);
    // Its ack (of what it has) releases the rest in one flush.
    quiet.emit(ACK_EVENT, { ...received });
    for (let i = 0; i < 100 && !held.every((id) => got.has(id)); i++) await sleep(20);
    expect(held.filter((id) => !got.has(id))).toEqual([]);
    expect(st.held).toBe(false);
    expect(quiet.connected).toBe(true);
    expect(s.app.flow.dropped()).toBe(0);
  });

  it('lets the server end a held connection at once: what was held is sent, then the disconnect', async () => {
    const { socket: slow, got, st } = await joinedSilent(s);
    const author = reader(s);
    await post(author, Math.ceil((2 * BOUND) / 8000), 'p');
    s.app.flow.tick();
    s.app.flow.tick();
    expect(st.held).toBe(true);
    const held = await post(author, 2, 'held');
    const reason = new Promise<string>((resolve) => slow.once('disconnect', resolve));
    serverSocket(s, slow).disconnect(true);
    expect(await reason).toBe('io server disconnect');
    expect(held.filter((id) => !got.has(id))).toEqual([]);
  });

  it('gives a reader that acked everything its whole patience for a burst past the bound, however long it was quiet', async () => {
    const { socket: quiet } = await connect(s, { acks: true, page: true });
    expect((await emitAck(quiet, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const st = s.app.flow.stateOf(quiet.io.engine.id)!;
    // The page acks whatever it received within ACK_DELAY_MS: wait for that.
    for (let i = 0; i < 100 && st.sentPackets > st.ackedPackets; i++) await sleep(100);
    expect(st.ackedPackets).toBe(st.sentPackets);
    // Ten minutes of ticks with nothing unacknowledged (synchronously: nothing is sent in between).
    for (let i = 0; i <= 600_000 / 250 + 1; i++) s.app.flow.tick();
    expect(st.idleTicks).toBe(0);
    const got = new Set<number>();
    quiet.on('comment:created', (e: Created) => got.add(e.id));
    const author = reader(s);
    const ids = (await Promise.all(Array.from({ length: 24 }, (_, i) => post(author, 1, `burst${i}`)))).flat();
    const last = Math.max(...ids);
    if (!got.has(last)) await nextEvent(quiet, 'comment:created', (e: Created) => e.id === last, 10_000);
    expect(ids.filter((id) => !got.has(id))).toEqual([]);
    expect(quiet.connected).toBe(true);
    expect(s.app.flow.dropped()).toBe(0);
  });
});

describe('reader acks: a slow reader', () => {
  const s = useTestServer({ env: { SOCKET_MAX_UNACKED_BYTES: String(BOUND), SOCKET_ACK_PATIENCE_MS: '10000' } });

  it('is held while it reads nothing (a busy phone, a second at a time), never dropped, and gets every comment exactly once', async () => {
    const { socket: slow } = await connect(s, { acks: true, page: true });
    expect((await emitAck(slow, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const seen: number[] = [];
    slow.on('comment:created', (e: Created) => seen.push(e.id));
    let reason: string | null = null;
    serverSocket(s, slow).once('disconnect', (why) => (reason = why));
    const tcp = (slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
    const author = reader(s);
    const posted: number[] = [];
    for (let round = 0; round < 2; round++) {
      tcp.pause();
      // Twice the bound while it reads nothing, then four 250 ms ticks of silence: held.
      posted.push(...(await post(author, Math.ceil((2 * BOUND) / 8000), `s${round}`)));
      await sleep(1000);
      posted.push(...(await post(author, 2, `t${round}`)));
      tcp.resume();
      const last = posted[posted.length - 1];
      if (!seen.includes(last)) await nextEvent(slow, 'comment:created', (e: Created) => e.id === last, 10_000);
    }
    expect(s.app.flow.held()).toBeGreaterThanOrEqual(1);
    expect(reason).toBeNull();
    expect(slow.connected).toBe(true);
    expect(s.app.flow.dropped()).toBe(0);
    expect([...seen].sort((a, b) => a - b)).toEqual([...posted].sort((a, b) => a - b));
  }, 60_000);
});
