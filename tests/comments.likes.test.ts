// Likes: one per author per comment, a toggle, counted on the comment, and announced live to other readers.
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';

describe('liking comments', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  const newComment = async (body = '值得一赞') => (await postComment(reader(s), slug, { body })).body.comment as { id: number };
  const reactions = (id: number) => s.db.prepare('SELECT author_id FROM reactions WHERE comment_id = ?').all(id);
  const likesOf = (id: number) => (s.db.prepare('SELECT likes FROM comments WHERE id = ?').get(id) as { likes: number }).likes;

  it('toggles one like per reader: like, unlike, like again', async () => {
    const c = await newComment();
    const r = reader(s);
    expect((await r.post(`/api/comments/${c.id}/like`)).body).toEqual({ id: c.id, likes: 1, liked: true });
    expect(reactions(c.id)).toHaveLength(1);
    expect((await r.post(`/api/comments/${c.id}/like`)).body).toEqual({ id: c.id, likes: 0, liked: false });
    expect(reactions(c.id)).toHaveLength(0);
    expect((await r.post(`/api/comments/${c.id}/like`)).body).toEqual({ id: c.id, likes: 1, liked: true });
    expect(likesOf(c.id)).toBe(1);
  });

  it('counts likes from different readers and shows each reader whether they liked it', async () => {
    const c = await newComment();
    const fans = [reader(s), reader(s), reader(s)];
    for (const f of fans) await f.post(`/api/comments/${c.id}/like`).expect(200);
    const bystander = reader(s);
    const asFan = (await fans[0].get(`/api/articles/${slug}/comments`).expect(200)).body.comments[0];
    const asOther = (await bystander.get(`/api/articles/${slug}/comments`).expect(200)).body.comments[0];
    expect(asFan).toMatchObject({ id: c.id, likes: 3, liked: true });
    expect(asOther).toMatchObject({ id: c.id, likes: 3, liked: false });
    expect(reactions(c.id)).toHaveLength(3);
  });

  it('gives a reader who never posted an identity cookie on their first like', async () => {
    const c = await newComment();
    const r = reader(s);
    const res = await r.post(`/api/comments/${c.id}/like`).expect(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^yl_author=/);
    const second = await r.post(`/api/comments/${c.id}/like`).expect(200);
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(second.body.liked).toBe(false);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM authors').get()).toEqual({ n: 2 });
  });

  it('sends reaction:updated to a second client with the count only, and liked to the liker\'s own socket', async () => {
    const c = await newComment();
    const liker = reader(s);
    await postComment(liker, slug, { body: '我也来了' });
    const watcher = await connectSocket(s);
    const own = await connectSocket(s, { cookie: liker.cookie() });
    try {
      await emitAck(watcher, 'join', { article: slug });
      await emitAck(own, 'join', { article: slug });
      const seen = nextEvent(watcher, 'reaction:updated');
      const ownSeen = nextEvent(own, 'reaction:updated');
      await liker.post(`/api/comments/${c.id}/like`).expect(200);
      const e = await seen;
      expect(e).toEqual({ seq: expect.any(Number), article: slug, commentId: c.id, likes: 1 });
      expect(await ownSeen).toEqual({ ...e, liked: true });

      const unliked = nextEvent(watcher, 'reaction:updated');
      await liker.post(`/api/comments/${c.id}/like`).expect(200);
      expect(await unliked).toMatchObject({ commentId: c.id, likes: 0, seq: e.seq + 1 });
    } finally {
      watcher.disconnect();
      own.disconnect();
    }
  });

  it('likes through the socket with the reader\'s cookie, toggling the same way', async () => {
    const c = await newComment();
    const r = reader(s);
    // The cookie comes with the reader's first action (a page view sets none).
    await postComment(r, slug, { body: '先说一句' });
    const sock = await connectSocket(s, { cookie: r.cookie() });
    const watcher = await connectSocket(s);
    try {
      await emitAck(sock, 'join', { article: slug });
      await emitAck(watcher, 'join', { article: slug });
      const seen = nextEvent(watcher, 'reaction:updated');
      expect(await emitAck(sock, 'comment:like', { id: c.id })).toEqual({ ok: true, data: { id: c.id, likes: 1, liked: true } });
      expect((await seen).likes).toBe(1);
      expect(await emitAck(sock, 'comment:like', { id: c.id })).toEqual({ ok: true, data: { id: c.id, likes: 0, liked: false } });
      expect((await emitAck(sock, 'comment:like', { id: 9999 })).error?.code).toBe('comment_not_found');
    } finally {
      sock.disconnect();
      watcher.disconnect();
    }
  });

  it('refuses to like a held comment that others cannot see', async () => {
    const held = (await postComment(reader(s), slug, { body: '链接 https://example.com/x' })).body.comment;
    expect(held.status).toBe('pending');
    const res = await reader(s).post(`/api/comments/${held.id}/like`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('comment_not_found');
    expect(reactions(held.id)).toHaveLength(0);
  });
});
