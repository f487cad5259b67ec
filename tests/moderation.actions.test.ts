import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, reader, useTestServer, type Reader } from './helpers/server';
import { auditEntries, commentBy, forId, modSocket, signedIn, type ModAgent } from './helpers/moderation';

describe('moderator actions on comments, over HTTP, with their live effects', () => {
  let admin: ModAgent;
  let mod: ModAgent;
  let otherReader: Socket;
  let otherMod: Socket;
  const s = useTestServer();

  beforeEach(async () => {
    admin = await signedIn(s, 'admin1', 'admin');
    mod = await signedIn(s, 'mod1');
    otherReader = await connectSocket(s);
    expect((await emitAck(otherReader, 'join', { article: s.article.slug })).ok).toBe(true);
    otherMod = await modSocket(s, admin);
  });

  const list = async (r: Reader) => (await r.get(`/api/articles/${s.article.slug}/comments?sort=newest`)).body.comments as { id: number; status: string; pinned: boolean; body: string; mine: boolean }[];
  const act = (id: number, action: string, reason?: string) => mod.post(`/api/admin/comments/${id}/${action}`, reason ? { reason } : {});
  const queueChanged = (id: number) => nextEvent(otherMod, 'queue:changed', (p: { ids: number[] }) => p.ids.includes(id));

  it('holds a comment under article pre-moderation: only its author sees it (pending) until approved, then everyone sees it live', async () => {
    expect((await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' })).status).toBe(200);
    const author = reader(s);
    const heard = nextEvent(otherMod, 'queue:changed');
    const { comment } = await commentBy(s, '先审后发的评论', author);
    expect(comment.status).toBe('pending');
    expect((await heard).ids).toContain(comment.id);
    expect((await list(author)).map((c) => [c.id, c.status, c.mine])).toEqual([[comment.id, 'pending', true]]);
    expect(await list(reader(s))).toEqual([]);

    const queue = await mod.get('/api/admin/queue?queue=pending');
    expect(queue.body.items.map((i: { comment: { id: number; heldReason: string } }) => [i.comment.id, i.comment.heldReason])).toEqual([[comment.id, 'pre_moderation']]);
    expect(queue.body.counts).toEqual({ pending: 1, reported: 0 });

    const created = nextEvent(otherReader, 'comment:created', forId(comment.id));
    const changed = queueChanged(comment.id);
    const res = await act(comment.id, 'approve', '内容没问题');
    expect(res.status).toBe(200);
    expect(res.body.item.comment).toMatchObject({ id: comment.id, status: 'published' });
    expect(res.body.item.queues).toEqual(['published']);
    expect((await created).comment).toMatchObject({ id: comment.id, status: 'published', body: '先审后发的评论', mine: false });
    await changed;
    expect((await list(reader(s))).map((c) => c.id)).toEqual([comment.id]);
    expect((await auditEntries(mod))[0]).toMatchObject({ moderatorName: 'mod1', action: 'comment.approve', targetType: 'comment', targetId: comment.id, reason: '内容没问题', details: { from: 'pending', to: 'published' } });
  });

  it('rejects a published comment: it disappears live for readers, moves to the rejected queue, and restore brings it back live', async () => {
    const { comment } = await commentBy(s, '将被拒绝的评论');
    const removed = nextEvent(otherReader, 'comment:removed', forId(comment.id));
    const changed = queueChanged(comment.id);
    const res = await act(comment.id, 'reject', '人身攻击');
    expect(res.status).toBe(200);
    expect(await removed).toMatchObject({ id: comment.id, comment: null, count: 0 });
    await changed;
    expect(await list(reader(s))).toEqual([]);
    const rejected = await mod.get('/api/admin/queue?queue=rejected');
    expect(rejected.body.items.map((i: { comment: { id: number; moderationNote: string } }) => [i.comment.id, i.comment.moderationNote])).toEqual([[comment.id, '人身攻击']]);

    const back = nextEvent(otherReader, 'comment:created', forId(comment.id));
    expect((await act(comment.id, 'restore', '误删')).status).toBe(200);
    expect((await back).comment).toMatchObject({ id: comment.id, body: '将被拒绝的评论', status: 'published' });
    const actions = (await auditEntries(mod)).map((e) => [e.moderatorName, e.action, e.reason]);
    expect(actions.slice(0, 2)).toEqual([
      ['mod1', 'comment.restore', '误删'],
      ['mod1', 'comment.reject', '人身攻击'],
    ]);
  });

  it('keeps a rejected comment with replies as a "removed" placeholder, live and in the page', async () => {
    const { comment: parent } = await commentBy(s, '有回复的评论,正文要消失');
    await commentBy(s, '一条回复', reader(s), { parentId: parent.id });
    const removed = nextEvent(otherReader, 'comment:removed', forId(parent.id));
    expect((await act(parent.id, 'reject')).status).toBe(200);
    const e = await removed;
    expect(e.comment).toMatchObject({ id: parent.id, status: 'removed', body: '', authorName: '', html: '' });
    const [shown] = await list(reader(s));
    expect(shown).toMatchObject({ id: parent.id, status: 'removed', body: '' });
    const page = await reader(s).get(`/articles/${s.article.slug}`);
    expect(page.text).toContain('此评论已被管理员删除');
    expect(page.text).not.toContain('正文要消失');
    expect(page.text).toContain('一条回复');
  });

  it('pins a comment above newer ones, live and in listings, and unpins it', async () => {
    const { comment: old } = await commentBy(s, '较早的评论');
    const { comment: newer } = await commentBy(s, '较新的评论');
    expect((await list(reader(s))).map((c) => c.id)).toEqual([newer.id, old.id]);
    const pinned = nextEvent(otherReader, 'comment:updated', forId(old.id));
    expect((await act(old.id, 'pin')).status).toBe(200);
    expect((await pinned).comment).toMatchObject({ id: old.id, pinned: true });
    expect((await list(reader(s))).map((c) => [c.id, c.pinned])).toEqual([
      [old.id, true],
      [newer.id, false],
    ]);
    const unpinned = nextEvent(otherReader, 'comment:updated', forId(old.id));
    expect((await act(old.id, 'unpin')).status).toBe(200);
    expect((await unpinned).comment.pinned).toBe(false);
    expect((await list(reader(s))).map((c) => c.id)).toEqual([newer.id, old.id]);
    expect((await auditEntries(mod)).slice(0, 2).map((e) => e.action)).toEqual(['comment.unpin', 'comment.pin']);
    // A pin changes no status: the log names the comment and does not claim "已发布 → 已发布".
    expect((await auditEntries(mod))[0].details).toEqual({ article: s.article.slug, excerpt: expect.any(String) });
  });

  it('answers an action that does not fit the state with 422, a reply pin with 422 cannot_pin_reply, an unknown id with 404', async () => {
    const { comment } = await commentBy(s, '普通评论');
    const { comment: reply } = await commentBy(s, '回复', reader(s), { parentId: comment.id });
    expect((await act(comment.id, 'approve')).body.error).toMatchObject({ code: 'invalid_state', details: { status: 'published', action: 'approve' } });
    expect((await act(comment.id, 'restore')).status).toBe(422);
    expect((await act(reply.id, 'pin')).body.error.code).toBe('cannot_pin_reply');
    const missing = await act(999_999, 'reject');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('comment_not_found');
    expect(await auditEntries(mod)).toEqual([]);
  });

  it('approves in bulk, reporting each id, and every approved comment appears live', async () => {
    await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' });
    const ids: number[] = [];
    for (const body of ['一', '二', '三']) ids.push((await commentBy(s, `待审 ${body}`)).comment.id);
    const seen = new Set<number>();
    const allSeen = new Promise<void>((resolve) =>
      otherReader.on('comment:created', (p: { id: number }) => {
        seen.add(p.id);
        if (ids.every((id) => seen.has(id))) resolve();
      }),
    );
    const res = await mod.post('/api/admin/comments/bulk', { ids: [...ids, 999_999], action: 'approve', reason: '批量通过' });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      ...ids.map((id) => ({ id, ok: true })),
      { id: 999_999, ok: false, error: { code: 'comment_not_found', message: expect.any(String) } },
    ]);
    await allSeen;
    expect((await auditEntries(mod)).filter((e) => e.action === 'comment.approve').map((e) => e.targetId).sort()).toEqual([...ids].sort());
  });

  it('moderates over the /moderation socket too, and a second moderator hears queue:changed', async () => {
    const { comment } = await commentBy(s, '从套接字拒绝');
    const modSock = await modSocket(s, mod);
    const changed = queueChanged(comment.id);
    const removed = nextEvent(otherReader, 'comment:removed', forId(comment.id));
    const ack = await emitAck<{ item: { comment: { status: string } } }>(modSock, 'comment:moderate', { id: comment.id, action: 'reject', reason: '套接字' });
    expect(ack.ok).toBe(true);
    expect(ack.data!.item.comment.status).toBe('rejected');
    await Promise.all([changed, removed]);
    expect((await auditEntries(admin))[0]).toMatchObject({ moderatorName: 'mod1', action: 'comment.reject', reason: '套接字' });
  });

  it('filters the queue by article and answers 404 for an unknown article', async () => {
    const other = await s.store.articles.insert({ slug: 'other', title: '另一篇', body: '正文', createdAt: s.clock.now });
    await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' });
    await mod.patch('/api/admin/articles/other', { moderationMode: 'pre' });
    const { comment: here } = await commentBy(s, '这篇的');
    const there = (await reader(s).post('/api/articles/other/comments', { authorName: '读者', body: '那篇的' })).body.comment;
    const all = await mod.get('/api/admin/queue?queue=pending');
    expect(all.body.items.map((i: { comment: { id: number } }) => i.comment.id)).toEqual([here.id, there.id]);
    const only = await mod.get('/api/admin/queue?queue=pending&article=other');
    expect(only.body.items.map((i: { comment: { id: number }; article: { slug: string } }) => [i.comment.id, i.article.slug])).toEqual([[there.id, other.slug]]);
    expect(only.body.counts).toEqual({ pending: 1, reported: 0 });
    expect((await mod.get('/api/admin/queue?queue=pending&article=nope')).status).toBe(404);
  });
});
