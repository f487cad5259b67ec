// TRUST_PROXY, attacked: without it X-Forwarded-For is a client's word and is ignored for rate limits and IP
// hashes; with it (a hop count or "loopback") the address the trusted proxy saw is the one that counts.
import { io as ioClient } from 'socket.io-client';
import { reader, startServer, type TestServer } from './helpers/server';

let s: TestServer;
afterEach(async () => s?.close());

async function postFrom(xff: string, body: string) {
  return reader(s).agent.post(`/api/articles/${s.article.slug}/comments`).set('Origin', s.origin).set('X-Forwarded-For', xff).send({ authorName: '读者', body });
}

const hashOf = (id: number) => s.db.prepare('SELECT ip_hash FROM comments WHERE id = ?').pluck().get(id) as string;

async function connects(xff: string): Promise<boolean> {
  const socket = ioClient(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin: s.origin, 'x-forwarded-for': xff } });
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('connect_error', () => resolve(false));
  });
  socket.disconnect();
  return ok;
}

describe('without TRUST_PROXY', () => {
  it('ignores X-Forwarded-For for the IP hash: two claimed addresses hash as the one real peer', async () => {
    s = await startServer();
    const a = await postFrom('198.51.100.1', '一');
    const b = await postFrom('203.0.113.2', '二');
    expect(hashOf(a.body.comment.id)).toBe(hashOf(b.body.comment.id));
  });

  it('ignores X-Forwarded-For for rate limits: a forged header does not buy a fresh limit', async () => {
    s = await startServer({ env: { RATE_POST_IP: '1/60', RATE_SOCKET_CONNECT: '1/60' } });
    expect((await postFrom('198.51.100.1', '一')).status).toBe(201);
    const second = await postFrom('203.0.113.2', '二');
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('rate_limited');
    expect(await connects('198.51.100.1')).toBe(true);
    expect(await connects('203.0.113.2')).toBe(false);
  });
});

describe('with TRUST_PROXY', () => {
  it('counts the forwarded client address when the peer is a trusted loopback proxy', async () => {
    s = await startServer({ env: { TRUST_PROXY: 'loopback', RATE_POST_IP: '1/60', RATE_SOCKET_CONNECT: '1/60' } });
    const a = await postFrom('198.51.100.1', '一');
    const b = await postFrom('203.0.113.2', '二');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(hashOf(a.body.comment.id)).not.toBe(hashOf(b.body.comment.id));
    expect((await postFrom('198.51.100.1', '三')).status).toBe(429);
    expect(await connects('198.51.100.1')).toBe(true);
    expect(await connects('203.0.113.2')).toBe(true);
    expect(await connects('198.51.100.1')).toBe(false);
  });

  it('with TRUST_PROXY=1 takes the address our one proxy appended, not what the client prepended', async () => {
    s = await startServer({ env: { TRUST_PROXY: '1' } });
    const a = await postFrom('10.0.0.1, 198.51.100.1', '一');
    const b = await postFrom('192.0.2.77, 198.51.100.1', '二');
    const c = await postFrom('198.51.100.9', '三');
    expect(hashOf(a.body.comment.id)).toBe(hashOf(b.body.comment.id));
    expect(hashOf(a.body.comment.id)).not.toBe(hashOf(c.body.comment.id));
  });

  it('treats one IPv6 /64 as one network, so rotating addresses inside it changes nothing', async () => {
    s = await startServer({ env: { TRUST_PROXY: 'loopback' } });
    const a = await postFrom('2001:db8:1:2::1', '一');
    const b = await postFrom('2001:db8:1:2:ffff:ffff:ffff:ffff', '二');
    const c = await postFrom('2001:db8:1:3::1', '三');
    expect(hashOf(a.body.comment.id)).toBe(hashOf(b.body.comment.id));
    expect(hashOf(a.body.comment.id)).not.toBe(hashOf(c.body.comment.id));
  });
});
