// Bad input of every kind, over HTTP and the socket: the error shape, every bad field named, nothing stored.
import { connectSocket, emitAck, postComment, reader, useTestServer, TEST_SLUG, type TestServer } from './helpers/server';

const count = (s: TestServer, table: string) => (s.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('refusing bad comment input', () => {
  const s = useTestServer();
  const url = `/api/articles/${TEST_SLUG}/comments`;

  /** A refused request leaves no comment, no author and no cookie behind. */
  function expectNothingStored(res: { headers: Record<string, unknown> }) {
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(count(s, 'comments')).toBe(0);
    expect(count(s, 'authors')).toBe(0);
    expect(count(s, 'article_events')).toBe(0);
  }

  const fields = (res: { body: { error: { details: { field: string }[] } } }) => res.body.error.details.map((d) => d.field).sort();

  it('lists both missing fields in 400 invalid_input', async () => {
    const res = await reader(s).post(url, {});
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', message: expect.any(String) });
    expect(fields(res)).toEqual(['authorName', 'body']);
    expectNothingStored(res);
  });

  it('lists every field of the wrong type', async () => {
    const res = await reader(s).post(url, { authorName: 5, body: ['x'], parentId: 'abc' });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['authorName', 'body', 'parentId']);
    expectNothingStored(res);
  });

  it('treats fields that are empty after trimming as missing', async () => {
    const res = await reader(s).post(url, { authorName: ' \n\t ', body: '\r\n \u0000 ' });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['authorName', 'body']);
    expectNothingStored(res);
  });

  it('names unknown keys', async () => {
    const res = await reader(s).post(url, { authorName: '甲', body: '正常内容', status: 'published', likes: 99 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(JSON.stringify(res.body.error.details)).toMatch(/status/);
    expect(JSON.stringify(res.body.error.details)).toMatch(/likes/);
    expectNothingStored(res);
  });

  it('refuses a parentId that is not a positive integer', async () => {
    for (const parentId of [0, -1, 1.5]) {
      const res = await postComment(reader(s), s.article.slug, { body: `父评论 ${parentId}`, parentId });
      expect(res.status).toBe(400);
      expect(fields(res)).toEqual(['parentId']);
    }
    expect(count(s, 'comments')).toBe(0);
  });

  it('refuses a JSON array as invalid_input and a bare JSON string as invalid_json', async () => {
    for (const [body, code] of [[[1, 2], 'invalid_input'], ['text', 'invalid_json']] as const) {
      const res = await reader(s).agent.post(url).set('Origin', s.origin).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expectNothingStored(res);
    }
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await reader(s).agent.post(url).set('Origin', s.origin).set('Content-Type', 'application/json').send('{"authorName": "甲", "body": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
    expectNothingStored(res);
  });

  it('answers a body over 32 KB with 413 payload_too_large', async () => {
    const res = await postComment(reader(s), s.article.slug, { body: 'x'.repeat(33 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expectNothingStored(res);
  });

  it('rejects a 5,001-character comment with 422 comment_too_long and accepts 5,000', async () => {
    const long = await postComment(reader(s), s.article.slug, { body: '长'.repeat(5001) });
    expect(long.status).toBe(422);
    expect(long.body.error).toMatchObject({ code: 'comment_too_long', details: { max: 5000 } });
    expectNothingStored(long);
    expect((await postComment(reader(s), s.article.slug, { body: '长'.repeat(5000) })).status).toBe(201);
  });

  it('counts characters, not UTF-16 units: 5,000 emoji fit', async () => {
    const res = await postComment(reader(s), s.article.slug, { body: '😀'.repeat(5000) });
    expect(res.status).toBe(201);
    expect([...res.body.comment.body]).toHaveLength(5000);
  });

  it('rejects a 41-character name with 422 name_too_long and accepts 40', async () => {
    const res = await postComment(reader(s), s.article.slug, { authorName: '名'.repeat(41), body: '名字太长' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('name_too_long');
    expectNothingStored(res);
    expect((await postComment(reader(s), s.article.slug, { authorName: '名'.repeat(40), body: '名字刚好' })).status).toBe(201);
  });

  it('refuses a lone surrogate as invalid_input', async () => {
    const res = await postComment(reader(s), s.article.slug, { body: 'bad \uD800 char' });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['body']);
    expectNothingStored(res);
  });

  it('refuses list queries with a bad sort or limit', async () => {
    for (const q of ['sort=random', 'limit=0', 'limit=51', 'limit=abc']) {
      const res = await reader(s).get(`${url}?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });

  it('refuses malformed comment ids in the path with 400 and unknown ones with 404', async () => {
    const r = reader(s);
    for (const id of ['abc', '0', '-3', '1e3', '99999999999999999999']) {
      expect((await r.patch(`/api/comments/${id}`, { body: '改' })).status).toBe(400);
      expect((await r.delete(`/api/comments/${id}`)).status).toBe(400);
      expect((await r.post(`/api/comments/${id}/like`)).status).toBe(400);
    }
    for (const res of [await r.patch('/api/comments/777', { body: '改' }), await r.delete('/api/comments/777'), await r.post('/api/comments/777/like')]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('comment_not_found');
    }
    expectNothingStored(await r.get('/api/articles'));
  });

  it('answers an unknown API path with a JSON 404', async () => {
    const res = await reader(s).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('refuses socket actions without the author cookie with identity_required, and bad payloads with invalid_input', async () => {
    const anon = await connectSocket(s);
    try {
      expect((await emitAck(anon, 'comment:post', { authorName: '甲', body: '还没加入' })).error?.code).toBe('not_joined');
      expect((await emitAck(anon, 'join', { article: 'missing' })).error?.code).toBe('article_not_found');
      expect((await emitAck(anon, 'join', { article: s.article.slug, since: -1 })).error?.code).toBe('invalid_input');
      // The join's quick check lets through only what the schema would; the rest is refused as before.
      for (const bad of [null, 'x', [s.article.slug], {}, { article: '' }, { article: 'a'.repeat(101) }, { article: 7 }, { article: s.article.slug, since: 1.5 },
        { article: s.article.slug, since: '3' }, { article: s.article.slug, since: 2 ** 53 }, { article: s.article.slug, extra: 1 }, { article: s.article.slug, since: 1, extra: 1 }]) {
        const ack = await emitAck(anon, 'join', bad);
        expect({ bad, code: ack.error?.code }).toEqual({ bad, code: 'invalid_input' });
      }
      expect((await emitAck(anon, 'join', { article: s.article.slug, since: 0 })).ok).toBe(true);
      expect((await emitAck(anon, 'join', { article: s.article.slug })).ok).toBe(true);
      for (const [event, payload] of [
        ['comment:post', { authorName: '甲', body: '没有身份' }],
        ['comment:edit', { id: 1, body: '改' }],
        ['comment:delete', { id: 1 }],
        ['comment:like', { id: 1 }],
        ['comment:report', { id: 1, reason: 'spam' }],
      ] as const) {
        const ack = await emitAck(anon, event, payload);
        expect({ event, code: ack.error?.code }).toEqual({ event, code: 'identity_required' });
      }
      expect((await emitAck(anon, 'comment:like', { id: 'x' })).error?.code).toBe('invalid_input');
      expect((await emitAck(anon, 'comment:delete', null)).error?.code).toBe('invalid_input');
    } finally {
      anon.disconnect();
    }

    const r = reader(s);
    await postComment(r, s.article.slug, { body: '先有身份' });
    const known = await connectSocket(s, { cookie: r.cookie() });
    try {
      await emitAck(known, 'join', { article: s.article.slug });
      const ack = await emitAck(known, 'comment:post', { authorName: '', body: '', extra: 1 });
      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toBe('invalid_input');
      expect((ack.error?.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['(body)', 'authorName', 'body']);
      expect((await emitAck(known, 'comment:post', { authorName: '甲', body: '长'.repeat(5001) })).error?.code).toBe('comment_too_long');
    } finally {
      known.disconnect();
    }
    expect(count(s, 'comments')).toBe(1);
  });
});
