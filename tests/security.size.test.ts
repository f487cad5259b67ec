// Oversized input, attacked: HTTP bodies past MAX_BODY_BYTES are 413 payload_too_large (also when compressed
// or chunked), socket messages past SOCKET_MAX_BYTES close that connection; nothing is ever half written.
import http from 'node:http';
import zlib from 'node:zlib';
import request from 'supertest';
import { connectSocket, emitAck, nextEvent, postComment, reader, startServer, type TestServer } from './helpers/server';
import { signedIn } from './helpers/moderation';

let s: TestServer;
beforeEach(async () => {
  s = await startServer();
});
afterEach(async () => s.close());

const stored = () => s.db.prepare('SELECT COUNT(*) FROM comments').pluck().get() as number;
const events = () => s.db.prepare('SELECT COUNT(*) FROM article_events').pluck().get() as number;
const big = (bytes: number) => 'a'.repeat(bytes);

/** A raw request, for bodies supertest would not send as-is (chunked, lying about encoding). */
function rawPost(path: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(s.url + path, { method: 'POST', headers: { Origin: s.origin, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('HTTP bodies', () => {
  it('refuses a JSON comment over 32 KB with 413 payload_too_large and stores nothing', async () => {
    const res = await reader(s).post(`/api/articles/${s.article.slug}/comments`, { authorName: '读者', body: big(33 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(stored()).toBe(0);
    expect(events()).toBe(0);
  });

  it('refuses a small gzip body that inflates past the limit (a zip bomb) with 413', async () => {
    const json = Buffer.from(JSON.stringify({ authorName: '读者', body: big(2 * 1024 * 1024) }));
    const gz = zlib.gzipSync(json);
    expect(gz.length).toBeLessThan(32 * 1024);
    const res = await rawPost(`/api/articles/${s.article.slug}/comments`, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, [gz]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('payload_too_large');
    expect(stored()).toBe(0);
  });

  it('refuses a chunked body with no Content-Length once it passes the limit', async () => {
    const chunk = Buffer.from(big(8 * 1024));
    const res = await rawPost(`/api/articles/${s.article.slug}/comments`, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, [Buffer.from('{"authorName":"x","body":"'), chunk, chunk, chunk, chunk, chunk, Buffer.from('"}')]);
    expect(res.status).toBe(413);
    expect(stored()).toBe(0);
  });

  it('refuses a no-JS form post over its limit (3 x MAX_BODY_BYTES, room for percent-encoding) with 413', async () => {
    const res = await reader(s).agent.post(`/articles/${s.article.slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: '读者', body: big(3 * s.config.maxBodyBytes + 1024) });
    expect(res.status).toBe(413);
    expect(stored()).toBe(0);
  });

  it('refuses an oversized edit, keeping the stored text', async () => {
    const a = reader(s);
    const id = (await postComment(a, s.article.slug, { body: '原文' })).body.comment.id;
    const res = await a.patch(`/api/comments/${id}`, { body: big(33 * 1024) });
    expect(res.status).toBe(413);
    expect(s.db.prepare('SELECT body FROM comments WHERE id = ?').pluck().get(id)).toBe('原文');
  });

  it('refuses an oversized moderation request with 413', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const res = await admin.post('/api/admin/words', { word: big(33 * 1024), kind: 'banned' });
    expect(res.status).toBe(413);
    expect(s.db.prepare('SELECT COUNT(*) FROM words').pluck().get()).toBe(0);
  });

  it('refuses text under the byte limit but over the hard character ceiling with 400, and over 5,000 characters with 422', async () => {
    const r1 = await reader(s).post(`/api/articles/${s.article.slug}/comments`, { authorName: '读者', body: big(20_001) });
    expect(r1.status).toBe(400);
    expect(r1.body.error.code).toBe('invalid_input');
    const r2 = await reader(s).post(`/api/articles/${s.article.slug}/comments`, { authorName: '读者', body: big(5_001) });
    expect(r2.status).toBe(422);
    expect(r2.body.error.code).toBe('comment_too_long');
    expect(stored()).toBe(0);
  });

  it('answers deeply nested JSON with a 4xx, not a crash', async () => {
    const deep = '{"authorName":' + '['.repeat(15_000) + ']'.repeat(15_000) + ',"body":"x"}';
    const res = await request(s.url).post(`/api/articles/${s.article.slug}/comments`).set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect((await postComment(reader(s), s.article.slug, { body: '服务器还在' })).status).toBe(201);
  });
});

describe('socket messages', () => {
  it('closes a connection that sends a message over SOCKET_MAX_BYTES, stores nothing, and leaves other clients alone', async () => {
    const a = reader(s);
    await postComment(a, s.article.slug, { body: '先有身份' });
    const before = stored();
    const attacker = await connectSocket(s, { cookie: a.cookie() });
    const bystander = await connectSocket(s);
    expect((await emitAck(attacker, 'join', { article: s.article.slug })).ok).toBe(true);
    expect((await emitAck(bystander, 'join', { article: s.article.slug })).ok).toBe(true);

    const closed = new Promise<string>((resolve) => attacker.once('disconnect', resolve));
    attacker.emit('comment:post', { authorName: '读者', body: big(s.config.socketMaxBytes + 1024) }, () => undefined);
    expect(await closed).toMatch(/transport (close|error)/);
    expect(stored()).toBe(before);

    expect(bystander.connected).toBe(true);
    const seen = nextEvent(bystander, 'comment:created');
    expect((await postComment(reader(s), s.article.slug, { body: '旁观者仍然收到' })).status).toBe(201);
    expect((await seen).comment.body).toBe('旁观者仍然收到');
    bystander.disconnect();
  });

  it('answers malformed payloads of every shape with error acks, and keeps serving', async () => {
    const a = reader(s);
    await postComment(a, s.article.slug, { body: '先有身份' });
    const socket = await connectSocket(s, { cookie: a.cookie() });
    const shapes: unknown[] = [null, 42, 'text', [], [1, 2], { article: ['x'] }, { article: 'x'.repeat(10_000) }, { since: -1 }, { since: 1e300, article: 'test-article' }];
    for (const p of shapes) {
      const ack = await emitAck(socket, 'join', p);
      expect(ack.ok).toBe(false);
      expect(ack.error!.code).toMatch(/^(invalid_input|article_not_found)$/);
    }
    expect((await emitAck(socket, 'join', { article: s.article.slug })).ok).toBe(true);
    for (const event of ['comment:post', 'comment:edit', 'comment:delete', 'comment:like', 'comment:report']) {
      for (const p of [null, 7, 'x', [], { id: '1' }, { id: -1, body: 5 }, { id: 1.5 }, { id: Number.MAX_SAFE_INTEGER + 2 }, { __proto__: { id: 1 } }]) {
        const ack = await emitAck(socket, event, p);
        expect(ack.ok).toBe(false);
        expect(ack.error!.code).not.toBe('internal_error');
      }
    }
    // An event without an ack callback, and one with a non-function "ack", are ignored without harm.
    socket.emit('comment:post', { authorName: 'x', body: '没有回执' });
    socket.emit('comment:post', { authorName: 'x', body: '假回执' }, 'not a function');
    expect((await emitAck(socket, 'comment:post', { authorName: '读者', body: '还能发' })).ok).toBe(true);
    expect(s.db.prepare('SELECT body FROM comments ORDER BY id').pluck().all()).toEqual(['先有身份', '还能发']);
    socket.disconnect();
  });
});

describe('query bounds', () => {
  it.each([
    ['/api/articles/test-article/comments?limit=51', 'a page larger than 50'],
    ['/api/articles/test-article/comments?limit=1e9', 'an absurd page size'],
    ['/api/articles/test-article/comments?limit=0', 'an empty page'],
    ['/api/articles/test-article/comments?limit=-5', 'a negative page size'],
    ['/api/articles/test-article/comments?sort=newest&sort=top', 'a repeated sort'],
    ['/api/articles/test-article/comments?sort=constructor', 'an unknown sort'],
    [`/api/articles/test-article/comments?cursor=${'A'.repeat(201)}`, 'an over-long cursor'],
    ['/api/articles/test-article/comments?cursor=bm90IGpzb24', 'a cursor that is not ours'],
    ['/api/comments/1/replies?limit=101', 'more than 100 replies'],
    ['/api/comments/1/replies?after=1e300', 'an unsafe integer'],
    ['/api/comments/99999999999999999999/replies', 'an id past the safe integers'],
  ])('answers %s (%s) with 400 and an error code', async (path) => {
    const res = await request(s.url).get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/^invalid_(input|cursor)$/);
  });

  it('bounds the moderation queue and id lists too', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    for (const path of ['/api/admin/queue?limit=101', '/api/admin/queue?queue=all', `/api/admin/comments?ids=${Array.from({ length: 201 }, (_, i) => i + 1).join(',')}`, '/api/admin/comments?ids=1,,2']) {
      const res = await admin.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });
});
