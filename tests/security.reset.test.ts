// A client that sends a whole request and then resets the TCP connection leaves the request without a
// socket address. Every per-network rule must still see it as the network it came from: limits, bans.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createIpHasher } from '../server/security/ip';
import { createClientIp, UNKNOWN_PEER } from '../server/security/client-ip';
import { postComment, reader, startServer, type TestServer } from './helpers/server';
import { createMod } from './helpers/moderation';

let s: TestServer;
afterEach(async () => s?.close());

/** Counts the requests the server has parsed, so a test knows when every reset request arrived. */
function countRequests(server: TestServer) {
  const seen = { n: 0 };
  server.app.httpServer.on('request', () => seen.n++);
  return seen;
}

async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

/** Sends a complete request over a raw TCP connection and resets it at once, without reading the answer. */
async function sendAndReset(method: string, path: string, body?: object) {
  const { port } = s.app.httpServer.address() as AddressInfo;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  const payload = body ? JSON.stringify(body) : '';
  const head = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Origin: ${s.origin}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`];
  socket.write(`${head.join('\r\n')}\r\n\r\n${payload}`);
  socket.resetAndDestroy();
}

/** n reset-style requests, then waits until the server parsed all of them, then one normal request settles the rest. */
async function flood(n: number, method: string, path: string, body: (i: number) => object | undefined) {
  const seen = countRequests(s);
  for (let i = 0; i < n; i++) await sendAndReset(method, path, body(i));
  await until(() => seen.n >= n, `${n} requests parsed`);
  return seen.n;
}

const count = (sql: string, ...args: unknown[]) => s.db.prepare(sql).pluck().get(...args) as number;

describe('requests whose connection was reset', () => {
  it('still count against the per-network post limit (RATE_POST_IP)', async () => {
    s = await startServer({ env: { RATE_POST_IP: '5/60' } });
    const parsed = await flood(20, 'POST', `/api/articles/${s.article.slug}/comments`, (i) => ({ authorName: '重置', body: `重置后的评论 ${i}` }));
    expect(parsed).toBe(20);
    const normal = await postComment(reader(s), s.article.slug, { body: '正常的请求' });
    expect(normal.status).toBe(429);
    expect(count('SELECT COUNT(*) FROM comments')).toBe(5);
  });

  it('still count against the per-network attempt limiter (RATE_POST_ATTEMPT), the no-JS form included', async () => {
    s = await startServer({ env: { RATE_POST_ATTEMPT: '4/60' } });
    await flood(10, 'POST', `/api/articles/${s.article.slug}/comments`, (i) => ({ authorName: '重置', body: `评论 ${i}` }));
    const r = reader(s);
    const form = await r.agent.post(`/articles/${s.article.slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: '表单', body: '表单评论' });
    // The refusal redirects to the form's page (post/redirect/get), which answers with the refusal's status.
    expect(form.status).toBe(303);
    expect((await r.get(String(form.headers.location).replace(/#.*$/, ''))).status).toBe(429);
    expect(count('SELECT COUNT(*) FROM comments')).toBe(4);
  });

  it('are refused by a network ban recorded from a normal request', async () => {
    s = await startServer();
    const first = await postComment(reader(s), s.article.slug, { body: '被封之前' });
    expect(first.status).toBe(201);
    const mod = await createMod(s, 'mod1');
    const ipHash = s.db.prepare('SELECT ip_hash FROM comments WHERE id = ?').pluck().get(first.body.comment.id) as string;
    await s.store.moderation.createBan({ authorId: null, ipHash, reason: '刷屏', createdAt: s.clock.now, expiresAt: null, createdBy: mod.id });
    await flood(10, 'POST', `/api/articles/${s.article.slug}/comments`, (i) => ({ authorName: '重置', body: `封禁后的评论 ${i}` }));
    const normal = await postComment(reader(s), s.article.slug, { body: '封禁后' });
    expect(normal.status).toBe(403);
    expect(count('SELECT COUNT(*) FROM comments')).toBe(1);
  });

  it('still count against the per-network like limit', async () => {
    // 2 is below the per-network like cap (3 per comment), so the rate limit is what stops the flood.
    s = await startServer({ env: { RATE_LIKE: '2/60' } });
    const c = await postComment(reader(s), s.article.slug, { body: '点赞目标' });
    await flood(20, 'POST', `/api/comments/${c.body.comment.id}/like`, () => undefined);
    expect((await reader(s).post(`/api/comments/${c.body.comment.id}/like`)).status).toBe(429);
    expect(count('SELECT likes FROM comments WHERE id = ?', c.body.comment.id)).toBe(2);
  });

  it('still count against the per-network report limit, so they cannot hide a comment', async () => {
    s = await startServer({ env: { RATE_REPORT: '2/600' } });
    const c = await postComment(reader(s), s.article.slug, { body: '举报目标' });
    await flood(10, 'POST', `/api/comments/${c.body.comment.id}/report`, () => ({ reason: 'spam' }));
    expect((await reader(s).post(`/api/comments/${c.body.comment.id}/report`, { reason: 'spam' })).status).toBe(429);
    expect(count('SELECT COUNT(*) FROM reports')).toBe(2);
    expect(count('SELECT status FROM comments WHERE id = ?', c.body.comment.id)).toBe('published');
  });

  it('still count against the moderator login limit (RATE_LOGIN)', async () => {
    s = await startServer({ env: { RATE_LOGIN: '10/600' } });
    await createMod(s, 'mod1');
    // A different name each time, so that the per-account lockout stays out of the way of the network limit.
    await flood(30, 'POST', '/api/admin/login', (i) => ({ username: `guess${i}`, password: 'wrong password!' }));
    const normal = await reader(s).post('/api/admin/login', { username: 'mod1', password: 'wrong password!' });
    expect(normal.status).toBe(429);
    expect(count("SELECT SUM(failures) FROM login_failures WHERE key LIKE 'user:%' AND key NOT LIKE '%|ip:%'")).toBe(10);
  });
});

describe('clientIp', () => {
  it('answers one shared stand-in when the peer is unknown, so such requests share one bucket', () => {
    const clientIp = createClientIp(false);
    const req = { headers: {}, socket: {} } as unknown as Parameters<typeof clientIp>[0];
    expect(clientIp(req)).toBe(UNKNOWN_PEER);
    const hash = createIpHasher('k'.repeat(32));
    expect(hash(clientIp(req))).toBe(hash(UNKNOWN_PEER));
  });
});
