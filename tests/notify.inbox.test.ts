// The in-page reply inbox: replies to a reader's comments land in their inbox (newest first, with unread),
// their open pages hear reply:received live on any article, and marking read clears the count.
import { connectSocket, emitAck, nextEvent, postComment, reader, TEST_SLUG, useTestServer } from './helpers/server';

describe('reply inbox', () => {
  const s = useTestServer({ env: { NOTIFY_POLL_MS: '50' } });

  it('tells the replied-to author live, on a page of another article, and lists the reply newest first with unread', async () => {
    const other = await s.store.articles.insert({ slug: 'other', title: '另一篇', body: '正文', createdAt: s.clock.now });
    const b = reader(s);
    const mine = await postComment(b, TEST_SLUG, { authorName: '乙', body: '原评论' });
    const socket = await connectSocket(s, { cookie: b.cookie() });
    expect((await emitAck(socket, 'join', { article: other.slug })).ok).toBe(true);
    const a = reader(s);
    const heard = nextEvent(socket, 'reply:received');
    const first = await postComment(a, TEST_SLUG, { authorName: '甲', body: '第一条回复', parentId: mine.body.comment.id });
    const event = await heard;
    expect(event).toMatchObject({ unread: 1, reply: { id: first.body.comment.id, authorName: '甲', excerpt: '第一条回复', read: false, article: { slug: TEST_SLUG, title: '测试文章' } } });
    expect(event.reply.url).toBe(`/articles/${TEST_SLUG}#c-${first.body.comment.id}`);

    const second = await postComment(a, TEST_SLUG, { authorName: '甲', body: '第二条回复', parentId: mine.body.comment.id });
    expect(await nextEvent(socket, 'reply:received')).toMatchObject({ unread: 2 });
    const inbox = await b.get('/api/me/replies');
    expect(inbox.status).toBe(200);
    expect(inbox.headers['cache-control']).toBe('private, no-store');
    expect(inbox.body.unread).toBe(2);
    expect(inbox.body.items.map((i: { id: number }) => i.id)).toEqual([second.body.comment.id, first.body.comment.id]);

    const read = await b.post('/api/me/replies/read', { ids: [first.body.comment.id] });
    expect(read.body).toEqual({ unread: 1 });
    expect((await b.post('/api/me/replies/read', {})).body).toEqual({ unread: 0 });
    expect((await b.get('/api/me/replies')).body.items.every((i: { read: boolean }) => i.read)).toBe(true);
  });

  it('puts nothing in the inbox for answering oneself, and nothing for a held reply until it is approved', async () => {
    await s.store.articles.updateSettings(s.article.id, { moderationMode: 'pre' }, s.clock.now);
    const b = reader(s);
    const mine = await postComment(b, TEST_SLUG, { authorName: '乙', body: '原评论' });
    const approve = (await s.store.comments.get(mine.body.comment.id))!;
    await s.store.comments.setStatus(approve.id, { status: 'published', at: s.clock.now });
    await postComment(b, TEST_SLUG, { authorName: '乙', body: '自己回自己', parentId: mine.body.comment.id });
    const held = await postComment(reader(s), TEST_SLUG, { authorName: '甲', body: '待审的回复', parentId: mine.body.comment.id });
    expect(held.body.comment.status).toBe('pending');
    await s.app.notify.worker.runOnce();
    await s.app.notify.worker.runOnce();
    expect((await b.get('/api/me/replies')).body).toMatchObject({ unread: 0, items: [] });
    await s.store.comments.setStatus(held.body.comment.id, { status: 'published', at: s.clock.now });
    await s.app.notify.worker.runOnce();
    await s.app.notify.worker.runOnce();
    const inbox = (await b.get('/api/me/replies')).body;
    expect(inbox.unread).toBe(1);
    expect(inbox.items[0].id).toBe(held.body.comment.id);
  });

  it('drops a reply removed since it arrived from the list, and answers an empty inbox to a reader without identity', async () => {
    const b = reader(s);
    const mine = await postComment(b, TEST_SLUG, { authorName: '乙', body: '原评论' });
    const a = reader(s);
    const r = await postComment(a, TEST_SLUG, { authorName: '甲', body: '要删的回复', parentId: mine.body.comment.id });
    await s.app.notify.worker.runOnce();
    expect((await b.get('/api/me/replies')).body.items).toHaveLength(1);
    await a.delete(`/api/comments/${r.body.comment.id}`);
    expect((await b.get('/api/me/replies')).body).toMatchObject({ items: [], unread: 0 });
    const nobody = await reader(s).get('/api/me/replies');
    expect(nobody.body).toEqual({ unread: 0, items: [], mailAvailable: false });
    expect(nobody.headers['set-cookie']).toBeUndefined();
  });

  it('puts an "@名字" answer in a flat thread into the named author’s inbox too', async () => {
    const b = reader(s);
    const c = reader(s);
    const root = await postComment(b, TEST_SLUG, { authorName: '乙', body: '楼主' });
    await postComment(c, TEST_SLUG, { authorName: '丙', body: '丙的回复', parentId: root.body.comment.id });
    const answer = await postComment(reader(s), TEST_SLUG, { authorName: '丁', body: '@丙 你说得对', parentId: root.body.comment.id });
    await s.app.notify.worker.runOnce();
    await s.app.notify.worker.runOnce();
    expect((await c.get('/api/me/replies')).body.items.map((i: { id: number }) => i.id)).toEqual([answer.body.comment.id]);
    expect((await b.get('/api/me/replies')).body.unread).toBe(2);
  });

  it('keeps delivering behind an event that keeps failing, and sets that one aside after five failed passes', async () => {
    const b = reader(s);
    const mine = await postComment(b, TEST_SLUG, { authorName: '乙', body: '原评论' });
    await s.app.notify.worker.runOnce();
    // Patched before the posts: the worker's own timer may run a pass as soon as they are committed.
    const apply = s.store.notify.applyEvent;
    let badTries = 0;
    s.store.notify.applyEvent = async (id, plan, at) => {
      const event = (await s.store.notify.pendingEvents(200)).find((e) => e.id === id);
      const comment = event?.commentId ? await s.store.comments.get(event.commentId) : undefined;
      if (comment?.body !== '写不进去的回复') return apply(id, plan, at);
      badTries++;
      throw new Error('disk says no');
    };
    const a = reader(s);
    await postComment(a, TEST_SLUG, { authorName: '甲', body: '写不进去的回复', parentId: mine.body.comment.id });
    const good = await postComment(a, TEST_SLUG, { authorName: '甲', body: '正常的回复', parentId: mine.body.comment.id });
    try {
      await s.app.notify.worker.runOnce();
      expect((await b.get('/api/me/replies')).body.items.map((i: { id: number }) => i.id)).toEqual([good.body.comment.id]);
      // The timer runs passes too, so passes are counted by the failing event's tries, not by the calls here.
      for (let i = 0; i < 20 && (await s.store.notify.pendingEvents(10)).length; i++) await s.app.notify.worker.runOnce();
      expect(await s.store.notify.pendingEvents(10)).toEqual([]);
      expect(badTries).toBe(5);
    } finally {
      s.store.notify.applyEvent = apply;
    }
  });

  it('refuses a malformed read request with 400', async () => {
    const b = reader(s);
    expect((await b.post('/api/me/replies/read', { ids: ['x'] })).status).toBe(400);
    expect((await b.post('/api/me/replies/read', { ids: Array.from({ length: 101 }, (_, i) => i + 1) })).status).toBe(400);
  });
});
