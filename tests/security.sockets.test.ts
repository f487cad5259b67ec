// One network cannot flood sockets or inflate "N 人正在看": every new engine.io connection counts against
// the connection rate (an empty sid= included), open sockets per network are capped, and presence counts
// each network at most up to that cap. Also: the engine's client bundle and our source maps are not served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig } from '../server/config';
import { createPresence } from '../server/realtime/presence';
import { articleRoom } from '../server/realtime/rooms';
import { emitAck, startServer, type TestServer } from './helpers/server';

let s: TestServer;
afterEach(async () => s?.close());

/** A raw engine.io polling handshake, as a script would send it. */
const handshake = (query = '', xff?: string) => {
  const req = request(s.url).get(`/socket.io/?EIO=4&transport=polling${query}`).set('Origin', s.origin);
  return xff ? req.set('X-Forwarded-For', xff) : req;
};
const sidOf = (res: { text: string }) => JSON.parse(res.text.slice(1)).sid as string;

async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

function connectFrom(xff: string): Promise<{ socket: Socket; error?: Error }> {
  const socket = ioClient(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin: s.origin, 'x-forwarded-for': xff } });
  s.sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error }));
  });
}

describe('socket connection limits', () => {
  it('counts a handshake with an empty sid= against RATE_SOCKET_CONNECT like any other', async () => {
    s = await startServer({ env: { RATE_SOCKET_CONNECT: '3/60' } });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await handshake(i % 2 ? '&sid=' : ''));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 403, 403]);
    expect(answers[3].body.message).toBe('rate_limited');
  });

  it('caps the sockets one network holds open (SOCKET_MAX_PER_NETWORK) and frees a place when one closes', async () => {
    s = await startServer({ env: { SOCKET_MAX_PER_NETWORK: '3' } });
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await handshake('&sid='));
    expect(open.map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = await handshake();
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('too_many_connections');
    // An engine.io close packet ("1") ends one session; its place is free again.
    await request(s.url).post(`/socket.io/?EIO=4&transport=polling&sid=${sidOf(open[0])}`).set('Origin', s.origin).send('1');
    await until(() => s.app.io.engine.clientsCount === 2, 'the closed session released');
    expect((await handshake()).status).toBe(200);
  });

  it('keeps the cap when a burst of concurrent handshakes all pass the check before any opened', async () => {
    s = await startServer({ env: { SOCKET_MAX_PER_NETWORK: '3' } });
    await Promise.all(Array.from({ length: 12 }, () => handshake('&sid=')));
    expect(s.app.io.engine.clientsCount).toBeLessThanOrEqual(3);
  });
});

describe('presence', () => {
  it('counts each network up to its cap, so a full network cannot push "N 人正在看" past it', async () => {
    s = await startServer({ env: { TRUST_PROXY: 'loopback', SOCKET_MAX_PER_NETWORK: '2' } });
    const slug = s.article.slug;
    const a1 = await connectFrom('198.51.100.1');
    const a2 = await connectFrom('198.51.100.1');
    const a3 = await connectFrom('198.51.100.1');
    expect(a3.error).toBeDefined();
    const b = await connectFrom('203.0.113.2');
    for (const c of [a1, a2]) expect((await emitAck(c.socket, 'join', { article: slug })).ok).toBe(true);
    const last = await emitAck<{ presence: number }>(b.socket, 'join', { article: slug });
    expect(last.data!.presence).toBe(3);
  });

  it('is the sum over networks of min(sockets in the room, cap)', async () => {
    const server = http.createServer();
    const io = new Server(server);
    // The network each client claims: what io.ts derives from the address, here from the handshake.
    io.use((socket, next) => {
      socket.data.ipHash = String(socket.handshake.auth.net);
      next();
    });
    io.on('connection', (socket) => void socket.join(articleRoom(1)));
    const presence = createPresence(io, 2);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients = ['a', 'a', 'a', 'a', 'b', 'c', 'c'].map((net) => ioClient(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { net } }));
    try {
      await until(() => io.sockets.adapter.rooms.get(articleRoom(1))?.size === 7, 'seven sockets in the room');
      expect(await presence.count(1)).toBe(2 + 1 + 2);
      clients[0].disconnect();
      clients[4].disconnect();
      await until(() => io.sockets.adapter.rooms.get(articleRoom(1))?.size === 5, 'two left');
      expect(await presence.count(1)).toBe(2 + 0 + 2);
      for (const c of clients.slice(1, 3)) c.disconnect();
      await until(() => io.sockets.adapter.rooms.get(articleRoom(1))?.size === 3, 'two more left');
      expect(await presence.count(1)).toBe(1 + 0 + 2);
    } finally {
      for (const c of clients) c.disconnect();
      presence.stop();
      await new Promise((r) => io.close(r));
    }
  });
});

describe('what is not served', () => {
  it('does not serve the engine client bundle or its source maps (the page loads its own hashed copy)', async () => {
    s = await startServer();
    for (const p of ['/socket.io/socket.io.js', '/socket.io/socket.io.js.map', '/socket.io/socket.io.min.js', '/socket.io/socket.io.esm.min.js.map']) {
      // The engine owns /socket.io/ and answers a non-handshake there with 400 "Transport unknown".
      const res = await request(s.url).get(p);
      expect([p, res.status]).toEqual([p, 400]);
      expect(res.text.length).toBeLessThan(200);
    }
    const page = await request(s.url).get(`/articles/${s.article.slug}`);
    const own = /src="(\/assets\/js\/socket\.io\.min\.js[^"]*)"/.exec(page.text)![1];
    expect((await request(s.url).get(own.replace(/&amp;/g, '&'))).status).toBe(200);
  });

  it('answers 404 for our own source maps, and the scripts do not point at them', async () => {
    s = await startServer();
    expect((await request(s.url).get('/assets/js/app.js.map')).status).toBe(404);
    expect((await request(s.url).get('/assets/js/admin.js.map')).status).toBe(404);
    const script = await request(s.url).get('/assets/js/app.js');
    expect(script.status).toBe(200);
    expect(script.text).not.toMatch(/sourceMappingURL/);
  });
});

describe('configuration', () => {
  it('names SOCKET_MAX_PER_NETWORK, RATE_JOIN and RATE_JOIN_IP when they are bad, and defaults them', () => {
    expect(() => loadConfig({ SOCKET_MAX_PER_NETWORK: '0', RATE_JOIN: 'ten', RATE_JOIN_IP: '5' })).toThrow(/RATE_JOIN must.*RATE_JOIN_IP must.*SOCKET_MAX_PER_NETWORK must/);
    const c = loadConfig({});
    expect(c.socketMaxPerNetwork).toBe(20);
    expect(c.rateLimits.join).toEqual({ limit: 10, windowMs: 60_000 });
    expect(c.rateLimits.joinPerIp).toEqual({ limit: 60, windowMs: 60_000 });
  });
});
