// Reconnect catch-up: a client that was away rejoins with since = the last seq it saw and gets every
// missed change exactly once, in its latest state; a gap it cannot bridge asks it to reset.
import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, postComment, reader, record, useTestServer, TEST_SLUG, type Reader } from './helpers/server';

interface JoinData {
  seq: number;
  reset: boolean;
  commentCount: number;
  changes: { seq: number; id: number; comment: { body: string; likes: number; status: string; mine: boolean } | null }[];
}

describe('catching up after a reconnect', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  async function join(payload: { since?: number }, cookie?: string): Promise<{ sock: Socket; data: JoinData }> {
    const sock = await connectSocket(s, { cookie });
    const ack = await emitAck<JoinData>(sock, 'join', { article: slug, ...payload });
    expect(ack.ok).toBe(true);
    return { sock, data: ack.data! };
  }

  const post = async (r: Reader, body: string, parentId?: number) => {
    const res = await postComment(r, slug, { body, parentId });
    expect(res.status).toBe(201);
    return res.body.comment.id as number;
  };

  it('replays every change missed while disconnected exactly once, each in its latest state', async () => {
    const early = reader(s);
    const kept = await post(early, '断线前就有的评论');
    const a = await join({});
    const lastSeen = a.data.seq;
    a.sock.disconnect();

    const b = reader(s);
    const fan = reader(s);
    const c1 = await post(b, '第一条');
    const c2 = await post(b, '第二条,马上删');
    const c3 = await post(b, '第三条');
    const reply = await post(b, '回复第一条', c1);
    await b.patch(`/api/comments/${c1}`, { body: '第一条(改一次)' }).expect(200);
    await b.patch(`/api/comments/${c1}`, { body: '第一条(改两次)' }).expect(200);
    await b.delete(`/api/comments/${c2}`).expect(200);
    await fan.post(`/api/comments/${c3}/like`).expect(200);
    await b.post(`/api/comments/${c3}/like`).expect(200);
    await fan.post(`/api/comments/${kept}/like`).expect(200);
    await fan.post(`/api/comments/${kept}/like`).expect(200);
    const article = (await s.store.articles.getBySlug(slug))!;

    const back = await join({ since: lastSeen });
    const live = record(back.sock, ['comment:created', 'comment:updated', 'comment:removed', 'reaction:updated']);
    expect(back.data.reset).toBe(false);
    expect(back.data.seq).toBe(article.seq);
    expect(back.data.commentCount).toBe(4);
    const ids = back.data.changes.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => x - y)).toEqual([kept, c1, c2, c3, reply].sort((x, y) => x - y));
    const byId = new Map(back.data.changes.map((c) => [c.id, c.comment]));
    expect(byId.get(c1)).toMatchObject({ body: '第一条(改两次)', status: 'published' });
    expect(byId.get(c2)).toBeNull();
    expect(byId.get(c3)).toMatchObject({ likes: 2 });
    expect(byId.get(kept)).toMatchObject({ likes: 0 });
    expect(byId.get(reply)).toMatchObject({ body: '回复第一条' });
    // Listed in the order each comment first changed, so a reply never comes before its parent,
    // even when the parent was edited after the reply was posted.
    const order = back.data.changes.map((c) => c.id);
    expect(order.indexOf(c1)).toBeLessThan(order.indexOf(reply));
    const seqs = back.data.changes.map((c) => c.seq);
    expect(Math.max(...seqs)).toBe(article.seq);

    // Live events continue right after the catch-up, with nothing replayed twice.
    const next = nextEvent(back.sock, 'comment:created');
    const c4 = await post(b, '重连之后的新评论');
    expect(await next).toMatchObject({ id: c4, seq: article.seq + 1 });
    expect(live.map((e) => e.payload.id ?? e.payload.commentId)).toEqual([c4]);
  });

  it('catches up from the seq of an HTTP page, so a page read plus a join misses nothing', async () => {
    const r = reader(s);
    await post(r, '页面里就有');
    const page = (await r.get(`/api/articles/${slug}/comments`).expect(200)).body;
    const after = await post(r, '页面之后才来');
    const { data } = await join({ since: page.seq });
    expect(data.changes.map((c) => c.id)).toEqual([after]);
  });

  it('answers a client that is up to date with no changes and no reset', async () => {
    await post(reader(s), '一条');
    const first = await join({});
    const again = await join({ since: first.data.seq });
    expect(again.data).toMatchObject({ reset: false, changes: [], seq: first.data.seq });
  });

  it('asks a client ahead of the server (an unknown seq) to reset', async () => {
    await post(reader(s), '一条');
    const { data } = await join({ since: 1_000 });
    expect(data).toMatchObject({ reset: true, changes: [], seq: 1 });
  });

  it('asks a client more than 500 changes behind to reset', async () => {
    const id = await post(reader(s), '被赞很多次');
    const fan = await s.store.authors.ensure('fan', s.clock.now, null);
    for (let i = 0; i < 501; i++) await s.store.comments.toggleLike(id, fan, s.clock.now);
    const { data } = await join({ since: 1 });
    expect(data).toMatchObject({ reset: true, changes: [], seq: 502 });
    const near = await join({ since: 2 });
    expect(near.data.reset).toBe(false);
    expect(near.data.changes).toEqual([{ seq: 502, id, comment: expect.objectContaining({ likes: 1 }) }]);
  });

  it('asks for a reset when the events it missed were pruned', async () => {
    await post(reader(s), '旧评论');
    s.clock.advance(8 * 24 * 3_600_000);
    await post(reader(s), '新评论');
    expect(await s.store.comments.pruneEvents(s.clock.now - 7 * 24 * 3_600_000)).toBe(1);
    expect((await join({ since: 0 })).data.reset).toBe(true);
    expect((await join({ since: 1 })).data.reset).toBe(false);
  });

  it('tells the author about their own held comment, and nobody else', async () => {
    const stranger = await join({});
    stranger.sock.disconnect();
    const a = reader(s);
    const held = (await postComment(a, slug, { body: '首次发链接 https://example.com/x' })).body.comment;
    expect(held.status).toBe('pending');
    const own = await join({ since: 0 }, a.cookie());
    expect(own.data.changes).toEqual([{ seq: 1, id: held.id, comment: expect.objectContaining({ status: 'pending', mine: true }) }]);
    const other = await join({ since: 0 });
    expect(other.data.reset).toBe(false);
    expect(other.data.changes).toEqual([]);
  });

  it('never tells other readers about a held comment that was rejected, but tells its author', async () => {
    const { data: before } = await join({});
    const a = reader(s);
    const held = (await postComment(a, slug, { body: '首次发链接 https://example.com/y' })).body.comment;
    expect(held.status).toBe('pending');
    await s.store.comments.setStatus(held.id, { status: 'rejected', at: s.clock.now, moderatorId: null });
    const other = await join({ since: before.seq });
    expect(other.data.changes).toEqual([]);
    const own = await join({ since: before.seq }, a.cookie());
    expect(own.data.changes).toEqual([{ seq: expect.any(Number), id: held.id, comment: null }]);
  });

  it('tells a reader that a published comment they may show was removed, even after later changes', async () => {
    const a = reader(s);
    const id = await post(a, '会被拒绝的评论');
    const { data: before } = await join({});
    await s.store.comments.setStatus(id, { status: 'rejected', at: s.clock.now, moderatorId: null });
    await s.store.comments.setStatus(id, { status: 'rejected', at: s.clock.now, moderatorId: null, note: '再记一笔' });
    const { data } = await join({ since: before.seq });
    expect(data.changes).toEqual([{ seq: expect.any(Number), id, comment: null }]);
  });

  it('replays a deleted comment with replies as its placeholder', async () => {
    const { data: before } = await join({});
    const a = reader(s);
    const root = await post(a, '将被删除的楼');
    await post(reader(s), '楼下的回复', root);
    await a.delete(`/api/comments/${root}`).expect(200);
    const { data } = await join({ since: before.seq });
    expect(data.changes.find((c) => c.id === root)?.comment).toMatchObject({ status: 'deleted', body: '' });
  });
});

describe('the article read after a join', () => {
  const s = useTestServer();

  it('is shared by the joins that ask before it starts, and never by one that asks after', async () => {
    const { createCatchUps } = await import('../server/comments/comments.catchup');
    let reads = 0;
    const store = { ...s.store, articles: { ...s.store.articles, getBySlug: (slug: string) => (reads++, s.store.articles.getBySlug(slug)) } };
    const catchUps = createCatchUps({ store } as never);
    const before = (await s.store.articles.getBySlug(TEST_SLUG))!;
    // Ten joins in one turn: one read, one answer.
    const shared = await Promise.all(Array.from({ length: 10 }, () => catchUps.articleAfterJoin(TEST_SLUG)));
    expect(reads).toBe(1);
    expect(new Set(shared).size).toBe(1);
    expect(shared[0].seq).toBe(before.seq);
    // A change, then a join: a read of its own that sees the change.
    expect((await postComment(reader(s), TEST_SLUG, { body: '读取之后的新评论' })).status).toBe(201);
    const later = await catchUps.articleAfterJoin(TEST_SLUG);
    expect(reads).toBe(2);
    expect(later.seq).toBe(before.seq + 1);
    await expect(catchUps.articleAfterJoin('no-such-article')).rejects.toMatchObject({ code: 'article_not_found' });
  });
});
