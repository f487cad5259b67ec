// Editing inside and outside the 15-minute window, deleting with and without replies: what is stored,
// listed and counted, and what a second live client receives.
import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG, type Reader } from './helpers/server';

describe('editing and deleting comments', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;
  let watcher: Socket;
  beforeEach(async () => {
    watcher = await connectSocket(s);
    expect((await emitAck(watcher, 'join', { article: slug })).ok).toBe(true);
  });

  const post = async (r: Reader, body: string, parentId?: number) => {
    const res = await postComment(r, slug, { body, parentId });
    expect(res.status).toBe(201);
    return res.body.comment as { id: number; createdAt: string };
  };
  const list = async (r: Reader = reader(s)) => (await r.get(`/api/articles/${slug}/comments`).expect(200)).body;
  const row = (id: number) => s.db.prepare('SELECT body, html, status, edited_at AS editedAt, reply_count AS replyCount FROM comments WHERE id = ?').get(id) as Record<string, unknown>;

  it('edits its own comment within the window, marks it edited and tells the second client', async () => {
    const a = reader(s);
    const c = await post(a, '初稿');
    s.clock.advance(5 * 60_000);
    const updated = nextEvent(watcher, 'comment:updated', (e) => e.id === c.id);
    const res = await a.patch(`/api/comments/${c.id}`, { body: '改过的 **稿子**' });
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: c.id, body: '改过的 **稿子**', html: '<p>改过的 <strong>稿子</strong></p>', mine: true });
    expect(res.body.comment.editedAt).toBe(new Date(s.clock.now).toISOString());
    const e = await updated;
    expect(e.comment).toMatchObject({ body: '改过的 **稿子**', editedAt: res.body.comment.editedAt, mine: false });
    expect(e.count).toBe(1);
    expect(row(c.id)).toMatchObject({ body: '改过的 **稿子**', editedAt: s.clock.now });
    expect((await list()).comments[0].editedAt).toBe(res.body.comment.editedAt);
  });

  it('accepts an edit at 15 minutes and refuses one a moment later with 422 edit_window_closed', async () => {
    const a = reader(s);
    const c = await post(a, '第一版');
    s.clock.advance(15 * 60_000);
    expect((await a.patch(`/api/comments/${c.id}`, { body: '第二版' })).status).toBe(200);
    s.clock.advance(1);
    const late = await a.patch(`/api/comments/${c.id}`, { body: '第三版' });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('edit_window_closed');
    expect(row(c.id).body).toBe('第二版');
  });

  it('refuses to edit or delete another reader\'s comment with 403 not_author', async () => {
    const c = await post(reader(s), '我的评论');
    const stranger = reader(s);
    await post(stranger, '路人的评论');
    for (const r of [stranger, reader(s)]) {
      const edit = await r.patch(`/api/comments/${c.id}`, { body: '篡改' });
      expect(edit.status).toBe(403);
      expect(edit.body.error.code).toBe('not_author');
      const del = await r.delete(`/api/comments/${c.id}`);
      expect(del.status).toBe(403);
      expect(del.body.error.code).toBe('not_author');
    }
    expect(row(c.id)).toMatchObject({ body: '我的评论', status: 'published' });
  });

  it('refuses an edit to an empty body with 400 invalid_input', async () => {
    const a = reader(s);
    const c = await post(a, '有内容');
    const res = await a.patch(`/api/comments/${c.id}`, { body: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'body', message: expect.any(String) }]);
    const extra = await a.patch(`/api/comments/${c.id}`, { body: '新内容', authorName: '换名字' });
    expect(extra.status).toBe(400);
    expect(row(c.id).body).toBe('有内容');
  });

  it('removes a deleted comment without replies from listings and counts, and tells the second client', async () => {
    const a = reader(s);
    const keep = await post(a, '留着');
    const c = await post(a, '删掉');
    expect((await list()).commentCount).toBe(2);
    const removed = nextEvent(watcher, 'comment:removed', (e) => e.id === c.id);
    const res = await a.delete(`/api/comments/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: c.id, comment: null });
    expect(await removed).toMatchObject({ id: c.id, comment: null, count: 1 });
    const page = await list();
    expect(page.comments.map((x: { id: number }) => x.id)).toEqual([keep.id]);
    expect(page.commentCount).toBe(1);
    expect(row(c.id).status).toBe('deleted');
    const again = await a.delete(`/api/comments/${c.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('comment_not_found');
    expect((await a.patch(`/api/comments/${c.id}`, { body: '复活' })).status).toBe(404);
    expect((await a.post(`/api/comments/${c.id}/like`)).status).toBe(404);
    expect((await postComment(a, slug, { body: '回复已删除的', parentId: c.id })).body.error.code).toBe('invalid_parent');
  });

  it('keeps a deleted comment with replies as an empty placeholder holding its replies', async () => {
    const a = reader(s);
    const b = reader(s);
    const root = await post(a, '楼主的话');
    const reply = await post(b, '回复楼主', root.id);
    const removed = nextEvent(watcher, 'comment:removed', (e) => e.id === root.id);
    const res = await a.delete(`/api/comments/${root.id}`);
    expect(res.status).toBe(200);
    expect(res.body.comment).toMatchObject({ id: root.id, status: 'deleted', body: '', html: '', authorName: '', replyCount: 1, mine: false, editableUntil: null });
    const e = await removed;
    expect(e.comment).toMatchObject({ status: 'deleted', body: '', authorName: '', replyCount: 1 });
    expect(e.count).toBe(1);

    const page = await list(a);
    expect(page.commentCount).toBe(1);
    expect(page.comments).toHaveLength(1);
    expect(page.comments[0]).toMatchObject({ id: root.id, status: 'deleted', body: '', authorName: '', replyCount: 1 });
    expect(page.comments[0].replies.map((r: { id: number }) => r.id)).toEqual([reply.id]);
    expect(JSON.stringify(page)).not.toContain('楼主的话');
  });

  it('lets the placeholder vanish once its last reply is deleted', async () => {
    const a = reader(s);
    const b = reader(s);
    const root = await post(a, '会消失的楼');
    const reply = await post(b, '唯一的回复', root.id);
    await a.delete(`/api/comments/${root.id}`).expect(200);
    const replyGone = nextEvent(watcher, 'comment:removed', (e) => e.id === reply.id);
    const rootGone = nextEvent(watcher, 'comment:removed', (e) => e.id === root.id);
    await b.delete(`/api/comments/${reply.id}`).expect(200);
    expect(await replyGone).toMatchObject({ comment: null, count: 0 });
    expect(await rootGone).toMatchObject({ comment: null, count: 0 });
    const page = await list();
    expect(page.comments).toEqual([]);
    expect(page.commentCount).toBe(0);
  });

  it('moves reply counts up the whole thread when a deep reply is deleted', async () => {
    const a = reader(s);
    const root = await post(a, '根');
    const mid = await post(a, '中', root.id);
    const leaf = await post(a, '叶', mid.id);
    expect([row(root.id).replyCount, row(mid.id).replyCount]).toEqual([2, 1]);
    await a.delete(`/api/comments/${leaf.id}`).expect(200);
    expect([row(root.id).replyCount, row(mid.id).replyCount]).toEqual([1, 0]);
    const page = await list();
    expect(page.commentCount).toBe(2);
    expect(page.comments[0].replies.map((r: { id: number }) => r.id)).toEqual([mid.id]);
  });

  it('edits and deletes through the socket with the same rules as HTTP', async () => {
    const a = reader(s);
    const c = await post(a, '套接字编辑前');
    const sock = await connectSocket(s, { cookie: a.cookie() });
    try {
      await emitAck(sock, 'join', { article: slug });
      const updated = nextEvent(watcher, 'comment:updated', (e) => e.id === c.id);
      const edit = await emitAck<{ comment: { body: string } }>(sock, 'comment:edit', { id: c.id, body: '套接字编辑后' });
      expect(edit.data?.comment.body).toBe('套接字编辑后');
      expect((await updated).comment.body).toBe('套接字编辑后');
      s.clock.advance(16 * 60_000);
      expect((await emitAck(sock, 'comment:edit', { id: c.id, body: '太晚了' })).error?.code).toBe('edit_window_closed');
      const removed = nextEvent(watcher, 'comment:removed', (e) => e.id === c.id);
      expect(await emitAck(sock, 'comment:delete', { id: c.id })).toEqual({ ok: true, data: { id: c.id, comment: null } });
      expect((await removed).count).toBe(0);
    } finally {
      sock.disconnect();
    }
  });
});
