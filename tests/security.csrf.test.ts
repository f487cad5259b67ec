// CSRF and origin refusal, attacked: cross-site writes carrying our cookies are refused 403 csrf_rejected and
// write nothing; the Socket.IO handshake refuses foreign origins. Same origin and ALLOWED_ORIGINS pass.
import request from 'supertest';
import { io as ioClient } from 'socket.io-client';
import { connectSocket, postComment, reader, startServer, type Reader, type TestServer } from './helpers/server';
import { signedIn, type ModAgent } from './helpers/moderation';

const EVIL = 'https://evil.example';
let s: TestServer;
afterEach(async () => s?.close());

const count = (sql: string, ...args: unknown[]) => s.db.prepare(sql).pluck().get(...args) as number;
const row = (sql: string, ...args: unknown[]) => s.db.prepare(sql).get(...args);

/** The reader's agent, with whatever headers a test wants instead of our Origin. */
function raw(r: Reader, method: 'post' | 'patch' | 'delete', path: string, headers: Record<string, string>) {
  const req = r.agent[method](path);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req;
}

function expectRejected(res: request.Response) {
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('csrf_rejected');
}

describe('author writes', () => {
  let a: Reader;
  let mine: number;
  let theirs: number;
  beforeEach(async () => {
    s = await startServer();
    a = reader(s);
    mine = (await postComment(a, s.article.slug, { body: '我的评论' })).body.comment.id;
    theirs = (await postComment(reader(s), s.article.slug, { body: '别人的评论' })).body.comment.id;
  });

  it('refuses a cross-origin post, edit, delete, like and report carrying the author cookie, writing nothing', async () => {
    const snapshot = () => [count('SELECT COUNT(*) FROM comments'), row('SELECT body, status FROM comments WHERE id = ?', mine), count('SELECT COUNT(*) FROM reactions'), count('SELECT COUNT(*) FROM reports')];
    const before = snapshot();
    const h = { Origin: EVIL };
    expectRejected(await raw(a, 'post', `/api/articles/${s.article.slug}/comments`, h).send({ authorName: '冒充', body: '跨站' }));
    expectRejected(await raw(a, 'patch', `/api/comments/${mine}`, h).send({ body: '被改了' }));
    expectRejected(await raw(a, 'delete', `/api/comments/${mine}`, h));
    expectRejected(await raw(a, 'post', `/api/comments/${theirs}/like`, h));
    expectRejected(await raw(a, 'post', `/api/comments/${theirs}/report`, h).send({ reason: 'spam' }));
    expect(snapshot()).toEqual(before);
  });

  it('refuses the no-JS form post from another site with 403', async () => {
    const res = await raw(a, 'post', `/articles/${s.article.slug}/comments`, { Origin: EVIL }).type('form').send({ authorName: '冒充', body: '跨站表单' });
    expect(res.status).toBe(403);
    expect(count('SELECT COUNT(*) FROM comments')).toBe(2);
  });

  it('falls back to Referer: a foreign one is refused, our own page passes', async () => {
    expectRejected(await raw(a, 'patch', `/api/comments/${mine}`, { Referer: `${EVIL}/attack.html` }).send({ body: '被改了' }));
    const ok = await raw(a, 'patch', `/api/comments/${mine}`, { Referer: `${s.origin}/articles/${s.article.slug}` }).send({ body: '自己改的' });
    expect(ok.status).toBe(200);
    expect(row('SELECT body FROM comments WHERE id = ?', mine)).toEqual({ body: '自己改的' });
  });

  it('refuses a cookie-bearing write with neither Origin nor Referer, but lets a cookie-less API client post', async () => {
    expectRejected(await raw(a, 'delete', `/api/comments/${mine}`, {}));
    expect(row('SELECT status FROM comments WHERE id = ?', mine)).toEqual({ status: 'published' });
    const client = await request(s.url).post(`/api/articles/${s.article.slug}/comments`).send({ authorName: '脚本', body: '来自命令行' });
    expect(client.status).toBe(201);
  });

  it('refuses Sec-Fetch-Site: cross-site, Origin "null" and another port of our own host', async () => {
    expectRejected(await raw(a, 'post', `/api/comments/${theirs}/like`, { 'Sec-Fetch-Site': 'cross-site' }));
    expectRejected(await request(s.url).post(`/api/articles/${s.article.slug}/comments`).set('Sec-Fetch-Site', 'cross-site').send({ authorName: '无 cookie', body: '也不行' }));
    expectRejected(await raw(a, 'post', `/api/comments/${theirs}/like`, { Origin: 'null' }));
    const otherPort = s.origin.replace(/:\d+$/, ':1');
    expectRejected(await raw(a, 'post', `/api/comments/${theirs}/like`, { Origin: otherPort }));
    expect(count('SELECT COUNT(*) FROM reactions')).toBe(0);
  });

  it('lets the same origin through', async () => {
    const res = await a.post(`/api/comments/${theirs}/like`);
    expect(res.status).toBe(200);
    expect(res.body.liked).toBe(true);
  });
});

describe('moderator writes', () => {
  let admin: ModAgent;
  let id: number;
  beforeEach(async () => {
    s = await startServer();
    admin = await signedIn(s, 'admin1', 'admin');
    id = (await postComment(reader(s), s.article.slug, { body: '待审核' })).body.comment.id;
  });

  it('refuses cross-origin moderation actions carrying the session cookie, changing nothing', async () => {
    const word = await admin.post('/api/admin/words', { word: '违禁', kind: 'banned' });
    expect(word.status).toBe(201);
    const h = { Origin: EVIL };
    expectRejected(await raw(admin, 'post', `/api/admin/comments/${id}/reject`, h).send({}));
    expectRejected(await raw(admin, 'patch', `/api/admin/articles/${s.article.slug}`, h).send({ commentsClosed: true }));
    expectRejected(await raw(admin, 'delete', `/api/admin/words/${word.body.word.id}`, h));
    expectRejected(await raw(admin, 'post', '/api/admin/moderators', { Referer: `${EVIL}/x` }).send({ username: 'evil', password: 'evil-password-1', role: 'admin' }));
    expect((await raw(admin, 'post', '/admin/logout', {})).status).toBe(403);
    expect(row('SELECT status FROM comments WHERE id = ?', id)).toEqual({ status: 'published' });
    expect(row('SELECT comments_closed AS closed FROM articles WHERE slug = ?', s.article.slug)).toEqual({ closed: 0 });
    expect(count('SELECT COUNT(*) FROM words')).toBe(1);
    expect(count('SELECT COUNT(*) FROM moderators')).toBe(1);
    expect((await admin.get('/api/admin/me')).status).toBe(200);
  });

  it('refuses a login posted from another site (login CSRF), creating no session', async () => {
    const before = count('SELECT COUNT(*) FROM moderator_sessions');
    expectRejected(await request(s.url).post('/api/admin/login').set('Origin', EVIL).send({ username: 'admin1', password: 'correct-horse-battery' }));
    expect(count('SELECT COUNT(*) FROM moderator_sessions')).toBe(before);
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('extends the same-origin rule to the listed origins only, exactly', async () => {
    s = await startServer({ env: { ALLOWED_ORIGINS: 'https://blog.example' } });
    const a = reader(s);
    const id = (await postComment(a, s.article.slug, { body: '原文' })).body.comment.id;
    const ok = await raw(a, 'patch', `/api/comments/${id}`, { Origin: 'https://blog.example' }).send({ body: '从博客改' });
    expect(ok.status).toBe(200);
    for (const near of ['https://blog.example.evil.example', 'http://blog.example', 'https://evil.blog.example', 'https://blog.example:8443']) {
      expectRejected(await raw(a, 'patch', `/api/comments/${id}`, { Origin: near }).send({ body: near }));
    }
    expect(row('SELECT body FROM comments WHERE id = ?', id)).toEqual({ body: '从博客改' });
  });
});

describe('Socket.IO handshake', () => {
  async function attempt(headers: Record<string, string>, namespace = '') {
    const socket = ioClient(s.url + namespace, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: headers });
    const result = await new Promise<'connected' | Error>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (e) => resolve(e));
    });
    socket.disconnect();
    return result;
  }

  it('refuses a foreign Origin, passes our own, an ALLOWED_ORIGINS entry, and a client with no Origin at all', async () => {
    s = await startServer({ env: { ALLOWED_ORIGINS: 'https://blog.example' } });
    expect(await attempt({ origin: EVIL })).toBeInstanceOf(Error);
    expect(await attempt({ origin: s.origin })).toBe('connected');
    expect(await attempt({ origin: 'https://blog.example' })).toBe('connected');
    expect(await attempt({})).toBe('connected');
  });

  it('names the refusal on a raw handshake, also for a no-cors request that shows only Sec-Fetch-Site or Referer', async () => {
    s = await startServer();
    const polling = '/socket.io/?EIO=4&transport=polling';
    for (const h of [{ Origin: EVIL }, { 'Sec-Fetch-Site': 'cross-site' }, { Referer: `${EVIL}/x` }]) {
      const res = await request(s.url).get(polling).set(h);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('origin_not_allowed');
    }
    expect((await request(s.url).get(polling)).status).toBe(200);
  });

  it('refuses the moderation namespace from a foreign Origin even with a valid session cookie', async () => {
    s = await startServer();
    const mod = await signedIn(s, 'mod1');
    expect(await attempt({ origin: EVIL, cookie: mod.cookie() }, '/moderation')).toBeInstanceOf(Error);
    const ok = await connectSocket(s, { cookie: mod.cookie(), namespace: '/moderation' });
    expect(ok.connected).toBe(true);
    ok.disconnect();
  });
});

describe('origin verdicts remembered', () => {
  it('keeps one verdict per origin and host, and judges long referers afresh', async () => {
    const { isAllowedOrigin } = await import('../server/security/origin');
    const allowed = ['https://partner.example'];
    for (let i = 0; i < 3; i++) {
      expect(isAllowedOrigin('http://news.example', 'news.example', allowed)).toBe(true);
      expect(isAllowedOrigin('http://news.example', 'other.example', allowed)).toBe(false);
      expect(isAllowedOrigin('https://partner.example/a', 'news.example', allowed)).toBe(true);
      expect(isAllowedOrigin('https://partner.example', undefined, [])).toBe(false);
    }
    const long = `http://news.example/${'x'.repeat(400)}`;
    expect(isAllowedOrigin(long, 'news.example', allowed)).toBe(true);
    expect(isAllowedOrigin(long, 'evil.example', allowed)).toBe(false);
    // More distinct referers than are kept: still right after the table is emptied.
    for (let i = 0; i < 1500; i++) expect(isAllowedOrigin(`http://news.example/p${i}`, 'news.example', allowed)).toBe(true);
    expect(isAllowedOrigin('http://news.example', 'other.example', allowed)).toBe(false);
  });
});
