// An author's own data: downloading every comment of one's identity (never cached, nobody else's) and deleting
// them all after a confirmation, leaving placeholders where replies hang, as a second client sees live.
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG, type Reader } from './helpers/server';
import { countProblems } from './helpers/transfer';

describe("an author's own comments", () => {
  const s = useTestServer();
  const post = async (r: Reader, body: string, parentId?: number) => {
    const res = await postComment(r, TEST_SLUG, { body, parentId });
    expect(res.status).toBe(201);
    return res.body.comment.id as number;
  };

  it('downloads every comment of this identity as JSON, and nothing of anyone else', async () => {
    const me = reader(s);
    const other = reader(s);
    const a = await post(me, '我的第一条 <b>');
    await post(other, '别人的');
    const b = await post(me, '我的回复', a);
    const res = await me.get('/api/me/comments/export').expect(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['content-disposition']).toMatch(/attachment/);
    const data = JSON.parse(res.text);
    expect(data.comments.map((c: { id: number }) => c.id)).toEqual([a, b]);
    expect(data.comments[0]).toMatchObject({ body: '我的第一条 <b>', status: 'published', article: { slug: TEST_SLUG }, parentId: null });
    expect(data.comments[1]).toMatchObject({ parentId: a });
    const stranger = await reader(s).get('/api/me/comments/export').expect(200);
    expect(JSON.parse(stranger.text).comments).toEqual([]);
  });

  it('refuses to delete without the confirmation, changing nothing', async () => {
    const me = reader(s);
    const a = await post(me, '留着');
    const res = await me.post('/api/me/comments/delete-all', {}).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
    await me.post('/api/me/comments/delete-all', { confirm: 'yes' }).expect(400);
    expect(s.db.prepare('SELECT status FROM comments WHERE id = ?').pluck().get(a)).toBe('published');
  });

  it('deletes them all: placeholders where others replied, counts true, a second client told live', async () => {
    const me = reader(s);
    const other = reader(s);
    const a = await post(me, '有人回复的');
    await post(other, '回复你', a);
    const b = await post(me, '没人回复的');
    const watcher = await connectSocket(s);
    expect((await emitAck(watcher, 'join', { article: TEST_SLUG })).ok).toBe(true);
    const removed = nextEvent(watcher, 'comment:removed', (e) => e.id === b);
    const res = await me.post('/api/me/comments/delete-all', { confirm: 'delete-all' }).expect(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toEqual({ deleted: 2, placeholders: 1 });
    await removed;
    const list = (await reader(s).get(`/api/articles/${TEST_SLUG}/comments`).expect(200)).body;
    expect(list.commentCount).toBe(1);
    const top = list.comments.find((c: { id: number }) => c.id === a);
    expect(top).toMatchObject({ status: 'deleted', body: '', authorName: '' });
    expect(top.replies).toHaveLength(1);
    expect(list.comments.find((c: { id: number }) => c.id === b)).toBeUndefined();
    expect(JSON.parse((await me.get('/api/me/comments/export').expect(200)).text).comments).toEqual([]);
    expect(countProblems(s.db)).toEqual([]);
  });

  it('works from the page form (no JavaScript) and shows the section only to an author', async () => {
    const me = reader(s);
    expect((await me.get(`/articles/${TEST_SLUG}`).expect(200)).text).not.toContain('id="my-comments"');
    await post(me, '表单删除');
    const page = await me.get(`/articles/${TEST_SLUG}`).expect(200);
    expect(page.text).toContain('action="/api/me/comments/delete-all"');
    const res = await me.agent.post('/api/me/comments/delete-all').set('Origin', s.origin).type('form').send({ confirm: 'delete-all', back: TEST_SLUG });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/articles/${TEST_SLUG}?deleted=1#my-comments`);
  });

  it('refuses a cross-site delete-all', async () => {
    const me = reader(s);
    await post(me, '跨站');
    const res = await me.agent.post('/api/me/comments/delete-all').set('Origin', 'https://evil.example').send({ confirm: 'delete-all' });
    expect(res.status).toBe(403);
    expect(s.db.prepare(`SELECT COUNT(*) FROM comments WHERE status = 'published'`).pluck().get()).toBe(1);
  });
});

describe("an author's own comments, rate-limited", () => {
  const s = useTestServer({ env: { RATE_EDIT: '2/60' } });
  it('answers 429 past the limit', async () => {
    const me = reader(s);
    await me.get('/api/me/comments/export').expect(200);
    await me.get('/api/me/comments/export').expect(200);
    const res = await me.get('/api/me/comments/export').expect(429);
    expect(res.body.error.code).toBe('rate_limited');
  });
});
