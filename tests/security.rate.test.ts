// Every rate limit, attacked: over the limit is 429 with Retry-After (HTTP) or an ack rate_limited (socket),
// others are unaffected where the limit is per author or connection, and refused requests write nothing.
import request from 'supertest';
import type { Response } from 'supertest';
import { io as ioClient } from 'socket.io-client';
import { connectSocket, emitAck, postComment, reader, startServer, type Reader, type TestServer } from './helpers/server';
import { createMod, PASSWORD } from './helpers/moderation';
import { AppError } from '../server/errors';
import { createConnectionLimiter, createRateLimiter, enforce, memoryRateLimiter, type RateHolder, type RateLimiter } from '../server/security/rate';

let s: TestServer;
afterEach(async () => s?.close());

/** A proxy in front (TRUST_PROXY=loopback) lets a test speak from several networks. */
const from = (ip: string) => ({ 'X-Forwarded-For': ip });
const PROXIED = { TRUST_PROXY: 'loopback' };

function expectLimited(res: Response) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(res.body.error.details.retryAfter).toBe(Number(res.headers['retry-after']));
}

const count = (sql: string, ...args: unknown[]) => (s.db.prepare(sql).pluck().get(...args) as number) ?? 0;
const comments = () => count('SELECT COUNT(*) FROM comments');

async function posted(r: Reader, body: string, ip?: string) {
  const req = r.agent.post(`/api/articles/${s.article.slug}/comments`).set('Origin', s.origin);
  if (ip) req.set(from(ip));
  return req.send({ authorName: '读者', body });
}

describe('posting', () => {
  it('refuses a sixth comment per author per minute with 429 rate_limited and Retry-After, storing nothing', async () => {
    s = await startServer({ env: { RATE_POST_AUTHOR: '5/60' } });
    const a = reader(s);
    for (let i = 0; i < 5; i++) expect((await postComment(a, s.article.slug, { body: `第 ${i} 条` })).status).toBe(201);
    const before = comments();
    expectLimited(await postComment(a, s.article.slug, { body: '第六条' }));
    expect(comments()).toBe(before);
    // Another author on the same network is not held back by a's limit.
    expect((await postComment(reader(s), s.article.slug, { body: '别人的评论' })).status).toBe(201);
    // Once the window has passed, a may post again.
    s.clock.advance(61_000);
    expect((await postComment(a, s.article.slug, { body: '一分钟后' })).status).toBe(201);
  });

  it('refuses the third comment from one network per window, whoever posts it, and lets other networks post', async () => {
    s = await startServer({ env: { RATE_POST_IP: '2/60', ...PROXIED } });
    expect((await posted(reader(s), '一', '198.51.100.7')).status).toBe(201);
    expect((await posted(reader(s), '二', '198.51.100.7')).status).toBe(201);
    const before = comments();
    expectLimited(await posted(reader(s), '三', '198.51.100.7'));
    expect(comments()).toBe(before);
    expect((await posted(reader(s), '四', '203.0.113.9')).status).toBe(201);
  });

  it('counts refused post attempts too, so a flood of invalid posts is cut off before it reaches the rules', async () => {
    s = await startServer({ env: { RATE_POST_ATTEMPT: '3/60', ...PROXIED } });
    const a = reader(s);
    for (let i = 0; i < 3; i++) expect((await posted(a, '   ', '198.51.100.7')).status).toBe(400);
    expectLimited(await posted(a, '一条正常的评论', '198.51.100.7'));
    expect(comments()).toBe(0);
    expect((await posted(reader(s), '另一个网络', '203.0.113.9')).status).toBe(201);
  });

  it('limits post attempts over the socket as well, answering with a rate_limited ack', async () => {
    s = await startServer({ env: { RATE_POST_ATTEMPT: '2/60' } });
    const a = reader(s);
    expect((await postComment(a, s.article.slug, { body: '先发一条' })).status).toBe(201);
    const socket = await connectSocket(s, { cookie: a.cookie() });
    await emitAck(socket, 'join', { article: s.article.slug });
    expect((await emitAck(socket, 'comment:post', { authorName: '读者', body: '第二条' })).ok).toBe(true);
    const before = comments();
    const ack = await emitAck(socket, 'comment:post', { authorName: '读者', body: '第三条' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(comments()).toBe(before);
    socket.disconnect();
  });
});

describe('likes, reports and edits', () => {
  it('refuses the third like toggle in a window with 429, leaving the like count as it was', async () => {
    s = await startServer({ env: { RATE_LIKE: '2/60', ...PROXIED } });
    const { body } = await posted(reader(s), '被点赞的评论', '192.0.2.1');
    const id = body.comment.id as number;
    const a = reader(s);
    const like = (r: Reader, ip: string) => r.agent.post(`/api/comments/${id}/like`).set('Origin', s.origin).set(from(ip));
    expect((await like(a, '198.51.100.7')).body.liked).toBe(true);
    expect((await like(a, '198.51.100.7')).body.liked).toBe(false);
    expectLimited(await like(a, '198.51.100.7'));
    expect(count('SELECT likes FROM comments WHERE id = ?', id)).toBe(0);
    expect(count('SELECT COUNT(*) FROM reactions')).toBe(0);
    // Another reader on another network likes freely.
    expect((await like(reader(s), '203.0.113.9')).body).toMatchObject({ liked: true, likes: 1 });
  });

  it('refuses a second report in the window with 429, storing no report', async () => {
    s = await startServer({ env: { RATE_REPORT: '1/600', ...PROXIED } });
    const one = (await posted(reader(s), '第一条', '192.0.2.1')).body.comment.id;
    const two = (await posted(reader(s), '第二条', '192.0.2.2')).body.comment.id;
    const a = reader(s);
    const report = (r: Reader, id: number, ip: string) => r.agent.post(`/api/comments/${id}/report`).set('Origin', s.origin).set(from(ip)).send({ reason: 'spam' });
    expect((await report(a, one, '198.51.100.7')).status).toBe(201);
    expectLimited(await report(a, two, '198.51.100.7'));
    expect(count('SELECT COUNT(*) FROM reports WHERE comment_id = ?', two)).toBe(0);
    expect((await report(reader(s), two, '203.0.113.9')).status).toBe(201);
  });

  it('refuses a third edit or delete per author in the window with 429, leaving the text unchanged', async () => {
    s = await startServer({ env: { RATE_EDIT: '2/60' } });
    const a = reader(s);
    const id = (await postComment(a, s.article.slug, { body: '原文' })).body.comment.id;
    expect((await a.patch(`/api/comments/${id}`, { body: '改一' })).status).toBe(200);
    expect((await a.patch(`/api/comments/${id}`, { body: '改二' })).status).toBe(200);
    expectLimited(await a.patch(`/api/comments/${id}`, { body: '改三' }));
    expectLimited(await a.delete(`/api/comments/${id}`));
    const row = s.db.prepare('SELECT body, status FROM comments WHERE id = ?').get(id);
    expect(row).toEqual({ body: '改二', status: 'published' });
    // The limit is per author: another author edits their own comment.
    const b = reader(s);
    const other = (await postComment(b, s.article.slug, { body: '乙的原文' })).body.comment.id;
    expect((await b.patch(`/api/comments/${other}`, { body: '乙改过' })).status).toBe(200);
  });
});

describe('moderator login', () => {
  it('refuses a third login attempt from one network with 429, creating no session even with the right password', async () => {
    s = await startServer({ env: { RATE_LOGIN: '2/600', ...PROXIED } });
    await createMod(s, 'mod1');
    const attempt = (ip: string, password = PASSWORD) =>
      request(s.url).post('/api/admin/login').set('Origin', s.origin).set(from(ip)).send({ username: 'mod1', password });
    expect((await attempt('198.51.100.7')).status).toBe(200);
    expect((await attempt('198.51.100.7')).status).toBe(200);
    const sessions = count('SELECT COUNT(*) FROM moderator_sessions');
    const res = await attempt('198.51.100.7');
    expectLimited(res);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(count('SELECT COUNT(*) FROM moderator_sessions')).toBe(sessions);
    expect((await attempt('203.0.113.9')).status).toBe(200);
  });
});

describe('sockets', () => {
  it('refuses the third socket connection from one network per window, and still lets another network connect', async () => {
    s = await startServer({ env: { RATE_SOCKET_CONNECT: '2/60', ...PROXIED } });
    const connect = (ip: string) => {
      const socket = ioClient(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin: s.origin, ...from(ip) } });
      return new Promise<{ socket: typeof socket; error?: Error }>((resolve) => {
        socket.once('connect', () => resolve({ socket }));
        socket.once('connect_error', (error) => resolve({ socket, error }));
      });
    };
    const first = await connect('198.51.100.7');
    const second = await connect('198.51.100.7');
    expect(first.error ?? second.error).toBeUndefined();
    const third = await connect('198.51.100.7');
    expect(third.error).toBeDefined();
    // The same refusal over a raw handshake names its reason.
    const raw = await request(s.url).get('/socket.io/?EIO=4&transport=polling').set(from('198.51.100.7'));
    expect(raw.status).toBe(403);
    expect(raw.body.message).toBe('rate_limited');
    const other = await connect('203.0.113.9');
    expect(other.error).toBeUndefined();
    for (const c of [first, second, third, other]) c.socket.disconnect();
  });

  it('answers events past the per-connection limit with rate_limited acks, writing nothing, while another connection goes on', async () => {
    s = await startServer({ env: { RATE_SOCKET_EVENTS: '3/10' } });
    const a = reader(s);
    await postComment(a, s.article.slug, { body: '先有身份' });
    const one = await connectSocket(s, { cookie: a.cookie() });
    const two = await connectSocket(s, { cookie: a.cookie() });
    expect((await emitAck(one, 'join', { article: s.article.slug })).ok).toBe(true);
    expect((await emitAck(one, 'comment:post', { authorName: '读者', body: '一' })).ok).toBe(true);
    expect((await emitAck(one, 'comment:post', { authorName: '读者', body: '二' })).ok).toBe(true);
    const before = comments();
    const refused = await emitAck(one, 'comment:post', { authorName: '读者', body: '三' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'rate_limited', details: { retryAfter: expect.any(Number) } } });
    expect(comments()).toBe(before);
    expect((await emitAck(two, 'join', { article: s.article.slug })).ok).toBe(true);
    expect((await emitAck(two, 'comment:post', { authorName: '读者', body: '另一个连接' })).ok).toBe(true);
    one.disconnect();
    two.disconnect();
  });
});

describe('limiter memory', () => {
  it('stays bounded under a flood of distinct keys while a busy key keeps its count', () => {
    const t = 1_000_000;
    const limiter = createRateLimiter({ limit: 5, windowMs: 60_000 }, () => t, 1_000);
    for (let i = 0; i < 5; i++) expect(limiter.hit('flooding-network')).toBe(0);
    let maxSize = 0;
    for (let i = 0; i < 50_000; i++) {
      limiter.hit(`fresh-token-${i}`);
      if (i % 100 === 0) expect(limiter.hit('flooding-network')).toBeGreaterThan(0);
      maxSize = Math.max(maxSize, limiter.size);
    }
    expect(maxSize).toBeLessThanOrEqual(1_000);
    expect(limiter.hit('flooding-network')).toBeGreaterThan(0);
  });

  it('forgets idle keys after two windows', () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 1, windowMs: 1_000 }, () => t);
    for (let i = 0; i < 100; i++) limiter.hit(`k${i}`);
    expect(limiter.size).toBe(100);
    t += 2_500;
    limiter.hit('another');
    expect(limiter.size).toBe(1);
  });
});

describe('per-connection limits and enforce', () => {
  it('counts each connection on the connection itself, with no shared table of socket ids', () => {
    let t = 0;
    const events = createConnectionLimiter('socketEvents', { limit: 3, windowMs: 10_000 }, () => t);
    const joins = createConnectionLimiter('join', { limit: 1, windowMs: 10_000 }, () => t);
    const a: RateHolder = {};
    const b: RateHolder = {};
    expect([1, 2, 3].map(() => events.hit(a))).toEqual([0, 0, 0]);
    expect(events.hit(a)).toBeGreaterThan(0);
    // Another connection, and another limiter on the same connection, count apart.
    expect(events.hit(b)).toBe(0);
    expect(joins.hit(a)).toBe(0);
    expect(joins.hit(a)).toBeGreaterThan(0);
    expect(Object.keys(a.rateWindows ?? {}).sort()).toEqual(['join', 'socketEvents']);
    // Two windows later the connection starts afresh.
    t += 20_000;
    expect(events.hit(a)).toBe(0);
  });

  it('answers at once with in-memory limiters (a throw when over) and with a promise when one is shared, hitting every key', async () => {
    const t = 5_000;
    const perNetwork = memoryRateLimiter(createRateLimiter({ limit: 2, windowMs: 60_000 }, () => t));
    const perSocket = createConnectionLimiter('join', { limit: 1, windowMs: 60_000 }, () => t);
    const socket: RateHolder = {};
    expect(enforce([perSocket, socket], [perNetwork, 'net'])).toBeUndefined();
    // Over on the connection: thrown at once, and the network's key still counted (none is skipped).
    expect(() => enforce([perSocket, socket], [perNetwork, 'net'])).toThrow(AppError);
    expect(perNetwork.hit('net')).toBeGreaterThan(0);

    // A shared (Redis-like) limiter answers with a promise: enforce resolves, or rejects with the longest wait.
    const waits = [0, 7];
    const shared: RateLimiter = { limit: { limit: 1, windowMs: 1_000 }, hit: async () => waits.shift() ?? 0, reset: async () => undefined };
    const fresh: RateHolder = {};
    const allowed = enforce([shared, 'k'], [createConnectionLimiter('x', { limit: 5, windowMs: 1_000 }, () => t), fresh]);
    expect(allowed).toBeInstanceOf(Promise);
    await expect(allowed).resolves.toBeUndefined();
    await expect(enforce([shared, 'k'])).rejects.toMatchObject({ code: 'rate_limited', status: 429, details: { retryAfter: 7 } });
  });
});
