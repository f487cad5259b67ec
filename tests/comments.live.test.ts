// The live thread between real socket.io clients: presence, each other's posts, edits and removals,
// and the author's own post arriving exactly once.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, postComment, reader, record, useTestServer, TEST_SLUG, type Reader } from './helpers/server';

describe('the live thread', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;
  const sockets: Socket[] = [];

  /** A reader who has posted once (so they have an identity) with a socket joined to the article. */
  async function joinedReader(name: string): Promise<{ r: Reader; sock: Socket; seq: number }> {
    const r = reader(s);
    expect((await postComment(r, slug, { authorName: name, body: `${name} 来了` })).status).toBe(201);
    const sock = await joinedSocket(r.cookie());
    const ack = await emitAck<{ seq: number }>(sock, 'join', { article: slug });
    return { r, sock, seq: ack.data!.seq };
  }

  async function joinedSocket(cookie?: string, article = slug): Promise<Socket> {
    const sock = await connectSocket(s, { cookie });
    sockets.push(sock);
    const ack = await emitAck(sock, 'join', { article });
    expect(ack.ok).toBe(true);
    return sock;
  }

  /** Posts a marker comment from someone else and waits until `sock` has it: anything sent earlier has arrived. */
  async function barrier(sock: Socket): Promise<void> {
    const body = `标记 ${Math.random()}`;
    const got = nextEvent(sock, 'comment:created', (e) => e.comment?.body === body);
    expect((await postComment(reader(s), slug, { body })).status).toBe(201);
    await got;
  }

  it('counts readers present as they join and leave', async () => {
    const first = await connectSocket(s);
    sockets.push(first);
    const acks: number[] = [];
    const sawThree = nextEvent(first, 'presence', (p) => p.count === 3);
    for (const so of [first, await connectSocket(s), await connectSocket(s)]) {
      if (!sockets.includes(so)) sockets.push(so);
      acks.push((await emitAck<{ presence: number }>(so, 'join', { article: slug })).data!.presence);
    }
    expect(acks).toEqual([1, 2, 3]);
    expect(await sawThree).toEqual({ count: 3 });

    // One reader closes the tab, another leaves the article: both stop counting.
    const sawOne = nextEvent(first, 'presence', (p) => p.count === 1);
    sockets[2].disconnect();
    sockets[1].emit('leave');
    expect(await sawOne).toEqual({ count: 1 });
  });

  it('counts presence per article: a reader moving to another article leaves the first one', async () => {
    const other = await s.store.articles.insert({ slug: 'other', title: '另一篇', body: '正文', createdAt: s.clock.now });
    await joinedSocket();
    const b = await joinedSocket();
    const moved = await emitAck<{ presence: number; article: string }>(b, 'join', { article: other.slug });
    expect(moved.data).toMatchObject({ article: 'other', presence: 1 });
    const c = await connectSocket(s);
    sockets.push(c);
    expect((await emitAck<{ presence: number }>(c, 'join', { article: slug })).data!.presence).toBe(2);
  });

  it('shows each client the other\'s new comments, edits and removals', async () => {
    const a = await joinedReader('甲');
    const b = await joinedReader('乙');

    const bSees = nextEvent(b.sock, 'comment:created', (e) => e.comment?.body === '甲的观点');
    const posted = await emitAck<{ comment: { id: number } }>(a.sock, 'comment:post', { authorName: '甲', body: '甲的观点' });
    expect(posted.ok).toBe(true);
    const id = posted.data!.comment.id;
    const created = await bSees;
    expect(created).toMatchObject({ article: slug, id, count: 3, comment: { id, authorName: '甲', body: '甲的观点', mine: false, editableUntil: null } });

    const aSees = nextEvent(a.sock, 'comment:created', (e) => e.comment?.body === '乙的回复');
    const reply = await postComment(b.r, slug, { authorName: '乙', body: '乙的回复', parentId: id });
    const replied = await aSees;
    expect(replied.comment).toMatchObject({ id: reply.body.comment.id, parentId: id, rootId: id, depth: 1, replyToName: '甲', mine: false });
    expect(replied.count).toBe(4);

    const bSeesEdit = nextEvent(b.sock, 'comment:updated', (e) => e.id === id);
    expect((await emitAck(a.sock, 'comment:edit', { id, body: '甲修改后的观点' })).ok).toBe(true);
    expect((await bSeesEdit).comment).toMatchObject({ body: '甲修改后的观点', editedAt: expect.any(String) });

    const aSeesRemoval = nextEvent(a.sock, 'comment:removed', (e) => e.id === reply.body.comment.id);
    await b.r.delete(`/api/comments/${reply.body.comment.id}`).expect(200);
    expect(await aSeesRemoval).toMatchObject({ comment: null, count: 3 });
  });

  it('numbers live events with a rising seq that continues the join ack', async () => {
    const watcher = await connectSocket(s);
    sockets.push(watcher);
    const ack = await emitAck<{ seq: number }>(watcher, 'join', { article: slug });
    const seen = record(watcher, ['comment:created', 'comment:updated', 'reaction:updated']);
    const r = reader(s);
    const c = (await postComment(r, slug, { body: '序号一' })).body.comment;
    await r.patch(`/api/comments/${c.id}`, { body: '序号二' }).expect(200);
    await reader(s).post(`/api/comments/${c.id}/like`).expect(200);
    await barrier(watcher);
    expect(seen.map((e) => e.payload.seq)).toEqual([1, 2, 3, 4].map((n) => ack.data!.seq + n));
    expect(seen.map((e) => e.event)).toEqual(['comment:created', 'comment:updated', 'reaction:updated', 'comment:created']);
  });

  it('delivers the author\'s own socket post exactly once, marked as theirs', async () => {
    const a = await joinedReader('甲');
    const seen = record(a.sock, ['comment:created']);
    const ack = await emitAck<{ comment: { id: number; mine: boolean } }>(a.sock, 'comment:post', { authorName: '甲', body: '只来一次' });
    expect(ack.data!.comment.mine).toBe(true);
    await barrier(a.sock);
    const mine = seen.filter((e) => e.payload.id === ack.data!.comment.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].payload.comment).toMatchObject({ body: '只来一次', mine: true });
  });

  it('delivers the author\'s own HTTP post exactly once to their joined socket', async () => {
    const a = await joinedReader('甲');
    const seen = record(a.sock, ['comment:created']);
    const res = await postComment(a.r, slug, { authorName: '甲', body: '表单发的也只来一次' });
    await barrier(a.sock);
    expect(seen.filter((e) => e.payload.id === res.body.comment.id).map((e) => e.payload.comment.mine)).toEqual([true]);
  });

  it('delivers a first-time author\'s socket post exactly once, then their edits as theirs', async () => {
    // A cookie with no author behind it yet (a page view sets none; this one is the browser's own, e.g. kept
    // after its idle author was pruned).
    const sock = await joinedSocket(`yl_author=${randomBytes(32).toString('base64url')}`);
    const seen = record(sock, ['comment:created', 'comment:updated']);
    const ack = await emitAck<{ comment: { id: number } }>(sock, 'comment:post', { authorName: '新人', body: '第一次说话' });
    expect(ack.ok).toBe(true);
    const id = ack.data!.comment.id;
    expect((await emitAck(sock, 'comment:edit', { id, body: '第一次说话(改)' })).ok).toBe(true);
    await barrier(sock);
    const mine = seen.filter((e) => e.payload.id === id);
    expect(mine.map((e) => e.event)).toEqual(['comment:created', 'comment:updated']);
    expect(mine[1].payload.comment).toMatchObject({ body: '第一次说话(改)', mine: true });
  });

  it('keeps a held comment from other readers while the author\'s socket sees it', async () => {
    const a = await joinedReader('甲');
    const watcher = await joinedSocket();
    const seenByWatcher = record(watcher, ['comment:created', 'comment:updated']);
    const ownSees = nextEvent(a.sock, 'comment:created', (e) => e.comment?.status === 'pending');
    // A link from an author with one published comment is published; three links exceed the link limit and are held.
    const body = '资料 https://a.example/1 https://b.example/2 https://c.example/3';
    const res = await postComment(a.r, slug, { body });
    expect(res.body.comment.status).toBe('pending');
    expect((await ownSees).comment).toMatchObject({ id: res.body.comment.id, mine: true, status: 'pending' });
    await barrier(watcher);
    expect(seenByWatcher.filter((e) => e.payload.id === res.body.comment.id)).toEqual([]);
  });

  it('sends nothing to readers of another article', async () => {
    const other = await s.store.articles.insert({ slug: 'other', title: '另一篇', body: '正文', createdAt: s.clock.now });
    const elsewhere = await joinedSocket(undefined, other.slug);
    const seen = record(elsewhere, ['comment:created', 'comment:updated', 'comment:removed', 'reaction:updated']);
    const c = (await postComment(reader(s), slug, { body: '这篇文章的评论' })).body.comment;
    await reader(s).post(`/api/comments/${c.id}/like`).expect(200);
    const marker = nextEvent(elsewhere, 'comment:created');
    await postComment(reader(s), other.slug, { body: '另一篇的评论' });
    await marker;
    expect(seen.map((e) => e.payload.article)).toEqual(['other']);
  });
});
