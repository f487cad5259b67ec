// Host allow-list (DNS rebinding), the per-network limit on reads, and the page's data block that does not
// repeat the comments' text.
import { io as ioClient } from 'socket.io-client';
import request from 'supertest';
import { reader, startServer, type TestServer } from './helpers/server';
import { commentBy } from './helpers/moderation';

let s: TestServer;
afterEach(async () => s?.close());

/** The answer to a Socket.IO polling handshake that names `host`. */
async function handshake(host: string): Promise<{ status: number; message?: string }> {
  const res = await request(s.url).get('/socket.io/?EIO=4&transport=polling').set('Host', host);
  return { status: res.status, message: res.body?.message };
}

async function connects(): Promise<boolean> {
  const socket = ioClient(s.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin: s.origin } });
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('connect_error', () => resolve(false));
  });
  socket.disconnect();
  return ok;
}

describe('PUBLIC_URL / ALLOWED_HOSTS', () => {
  it('refuses a request naming another host with 421 host_not_allowed, on pages, the API and writes', async () => {
    s = await startServer({ env: { PUBLIC_URL: 'https://comments.example', ALLOWED_HOSTS: 'localhost:3000' } });
    const rebound = await request(s.url).get('/api/articles').set('Host', 'evil.example');
    expect(rebound.status).toBe(421);
    expect(rebound.body.error.code).toBe('host_not_allowed');
    const write = await request(s.url).post(`/api/articles/${s.article.slug}/comments`).set('Host', 'evil.example').send({ authorName: 'x', body: 'y' });
    expect(write.status).toBe(421);
    expect(s.db.prepare('SELECT COUNT(*) FROM comments').pluck().get()).toBe(0);
    expect((await request(s.url).get('/').set('Host', 'evil.example')).status).toBe(421);
    expect((await request(s.url).get('/api/articles').set('Host', 'comments.example')).status).toBe(200);
    expect((await request(s.url).get('/api/articles').set('Host', 'COMMENTS.example')).status).toBe(200);
    expect((await request(s.url).get('/api/articles').set('Host', 'localhost:3000')).status).toBe(200);
  });

  it('refuses a socket handshake naming another host', async () => {
    s = await startServer({ env: { PUBLIC_URL: 'https://comments.example' } });
    expect(await handshake('evil.example')).toEqual({ status: 403, message: 'host_not_allowed' });
    expect((await handshake('comments.example')).status).toBe(200);
    // The test server itself is reached as 127.0.0.1:port, which is not on the list either.
    expect(await connects()).toBe(false);
  });

  it('accepts any host when neither is set, and names a bad setting at start', async () => {
    s = await startServer();
    expect((await request(s.url).get('/api/articles').set('Host', 'anything.example')).status).toBe(200);
    await expect(startServer({ env: { PUBLIC_URL: 'ftp://x' } })).rejects.toThrow(/PUBLIC_URL/);
    await expect(startServer({ env: { ALLOWED_HOSTS: 'a b' } })).rejects.toThrow(/ALLOWED_HOSTS/);
  });
});

describe('RATE_GET', () => {
  it('limits page and API reads per network with 429 and Retry-After; static assets are exempt', async () => {
    s = await startServer({ env: { RATE_GET: '3/60' } });
    const page = await reader(s).get(`/articles/${s.article.slug}`);
    expect(page.status).toBe(200);
    const asset = /href="(\/assets\/css\/app\.css[^"]*)"/.exec(page.text)![1];
    expect((await reader(s).get('/api/articles')).status).toBe(200);
    expect((await reader(s).get(`/api/articles/${s.article.slug}/comments`)).status).toBe(200);
    const limited = await reader(s).get('/api/articles');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await reader(s).get(asset)).status).toBe(200);
    s.clock.advance(120_000);
    expect((await reader(s).get('/api/articles')).status).toBe(200);
  });
});

describe('the article page data block', () => {
  it('carries each comment without its html, and the body only for the reader\'s own', async () => {
    s = await startServer();
    const { reader: author } = await commentBy(s, '作者自己的长评论'.repeat(20));
    await commentBy(s, '别人的长评论内容'.repeat(20));
    const block = (html: string) => JSON.parse(/<script type="application\/json" id="yl-data">(.*?)<\/script>/s.exec(html)![1]);
    const asAuthor = block((await author.get(`/articles/${s.article.slug}`)).text);
    expect(asAuthor.comments.map((c: { body: string; html: string }) => [c.body.length > 0, c.html])).toEqual([
      [false, ''],
      [true, ''],
    ]);
    const page = (await reader(s).get(`/articles/${s.article.slug}`)).text;
    expect(page.split('别人的长评论内容'.repeat(20)).length - 1).toBe(1);
  });
});
