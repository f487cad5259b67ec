// 精选 (editor picks) and the edit history readers can see.
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';
import { auditEntries, signedIn } from './helpers/moderation';

describe('editor picks (精选)', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  it('marks and unmarks a pick, audited, and lists picks pinned first, then the newest pick', async () => {
    const mod = await signedIn(s, 'editor');
    const ids: number[] = [];
    for (const body of ['甲', '乙', '丙']) ids.push((await postComment(reader(s), slug, { body })).body.comment.id);
    for (const id of ids) await mod.post(`/api/admin/comments/${id}/feature`).expect(200);
    s.clock.advance(1000);
    await mod.post(`/api/admin/comments/${ids[2]}/feature`).expect(200);
    await mod.post(`/api/admin/comments/${ids[0]}/pin`).expect(200);
    const list = (await reader(s).get(`/api/articles/${slug}/featured`)).body.comments;
    expect(list.map((c: { id: number }) => c.id)).toEqual([ids[0], ids[2], ids[1]]);
    expect(list[0]).toMatchObject({ featured: true, pinned: true });
    await mod.post(`/api/admin/comments/${ids[1]}/unfeature`).expect(200);
    expect((await reader(s).get(`/api/articles/${slug}/featured`)).body.comments).toHaveLength(2);
    expect((await auditEntries(mod)).slice(0, 2).map((e: { action: string }) => e.action)).toEqual(['comment.unfeature', 'comment.pin']);
    expect((await reader(s).get(`/api/articles/${slug}/comments`)).body.comments.find((c: { id: number }) => c.id === ids[1]).featured).toBe(false);
  });

  it('refuses to feature a held comment (422) and a reader (401)', async () => {
    const mod = await signedIn(s, 'editor2');
    const c = (await postComment(reader(s), slug, { body: '正常' })).body.comment;
    expect((await reader(s).post(`/api/admin/comments/${c.id}/feature`)).status).toBe(401);
    await mod.post(`/api/admin/comments/${c.id}/reject`).expect(200);
    expect((await mod.post(`/api/admin/comments/${c.id}/feature`)).status).toBe(422);
  });

  it('reaches an open page live: comment:updated carries featured on and off, with the badge in the page', async () => {
    const mod = await signedIn(s, 'editor3');
    const c = (await postComment(reader(s), slug, { body: '好评论' })).body.comment;
    const watcher = await connectSocket(s);
    await emitAck(watcher, 'join', { article: slug });
    const on = nextEvent(watcher, 'comment:updated');
    await mod.post(`/api/admin/comments/${c.id}/feature`).expect(200);
    expect((await on).comment).toMatchObject({ id: c.id, featured: true });
    expect((await reader(s).get(`/articles/${slug}`)).text).toContain('badge-featured');
    const off = nextEvent(watcher, 'comment:updated');
    await mod.post(`/api/admin/comments/${c.id}/unfeature`).expect(200);
    expect((await off).comment).toMatchObject({ id: c.id, featured: false });
  });
});

describe('edit history readers can see', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  it('lists the earlier texts of a published comment, oldest first, escaped, with their times', async () => {
    const r = reader(s);
    const c = (await postComment(r, slug, { body: '第一版 <b>粗</b>' })).body.comment;
    s.clock.advance(60_000);
    await r.patch(`/api/comments/${c.id}`, { body: '第二版' }).expect(200);
    s.clock.advance(60_000);
    await r.patch(`/api/comments/${c.id}`, { body: '第三版' }).expect(200);
    const h = (await reader(s).get(`/api/comments/${c.id}/revisions`)).body;
    expect(h.revisions.map((v: { html: string }) => v.html)).toEqual(['<p>第一版 &lt;b&gt;粗&lt;/b&gt;</p>', '<p>第二版</p>']);
    expect(Date.parse(h.revisions[1].writtenAt)).toBe(Date.parse(h.revisions[0].replacedAt));
    expect(Date.parse(h.revisions[1].replacedAt)).toBe(Date.parse(h.editedAt));
  });

  it('shows no history for a removed, deleted or held comment (404), and never a held earlier text', async () => {
    const r = reader(s);
    const mod = await signedIn(s, 'historian');
    const removed = (await postComment(r, slug, { body: '会被删' })).body.comment;
    await r.patch(`/api/comments/${removed.id}`, { body: '改过' });
    await mod.post(`/api/admin/comments/${removed.id}/reject`).expect(200);
    expect((await reader(s).get(`/api/comments/${removed.id}/revisions`)).status).toBe(404);
    const own = (await postComment(r, slug, { body: '自己删' })).body.comment;
    await r.patch(`/api/comments/${own.id}`, { body: '改过了' });
    await r.delete(`/api/comments/${own.id}`).expect(200);
    expect((await reader(s).get(`/api/comments/${own.id}/revisions`)).status).toBe(404);
    await mod.patch(`/api/admin/articles/${slug}`, { moderationMode: 'pre' }).expect(200);
    const held = (await postComment(r, slug, { body: '待审原文' })).body.comment;
    await r.patch(`/api/comments/${held.id}`, { body: '待审改后' });
    expect((await reader(s).get(`/api/comments/${held.id}/revisions`)).status).toBe(404);
    await mod.post(`/api/admin/comments/${held.id}/approve`).expect(200);
    expect((await reader(s).get(`/api/comments/${held.id}/revisions`)).body.revisions).toEqual([]);
    expect((await reader(s).get('/api/comments/999999/revisions')).status).toBe(404);
  });
});
