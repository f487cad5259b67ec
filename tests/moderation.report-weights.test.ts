// Reports cannot be stuffed by cycling cookies: the hiding threshold counts distinct networks, weighs a
// fresh cookie at half an established author, a hidden comment keeps its replies under a placeholder,
// and a banned reader cannot report (HTTP and socket).
import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, reader, useTestServer, type Reader } from './helpers/server';
import { commentBy, forId, signedIn, type ModAgent } from './helpers/moderation';

/** A reader whose every request comes from `ip` (the test server trusts the loopback proxy). */
function readerFrom(s: Parameters<typeof reader>[0], ip: string): Reader {
  const r = reader(s);
  return {
    ...r,
    get: (p: string) => r.get(p).set('X-Forwarded-For', ip),
    post: (p: string, body?: object) => r.agent.post(p).set('Origin', s.origin).set('X-Forwarded-For', ip).send(body),
  };
}

const net = (i: number) => `198.51.100.${i + 1}`;

describe('report threshold by network and weight', () => {
  let admin: ModAgent;
  let watcher: Socket;
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });
  beforeEach(async () => {
    admin = await signedIn(s, 'admin1', 'admin');
    watcher = await connectSocket(s);
    await emitAck(watcher, 'join', { article: s.article.slug });
  });

  const report = (r: Reader, id: number) => r.post(`/api/comments/${id}/report`, { reason: 'spam' });
  const listed = async (r: Reader = reader(s)) => (await r.get(`/api/articles/${s.article.slug}/comments`)).body.comments as { id: number; status: string }[];
  /** A reader on network i who has a published comment (counts 1). */
  const established = async (i: number) => {
    const r = readerFrom(s, net(i));
    expect((await r.post(`/api/articles/${s.article.slug}/comments`, { authorName: `读者${i}`, body: `我的第${i}条评论` })).status).toBe(201);
    return r;
  };

  it('does not hide a comment reported by ten fresh cookies from one network; all ten reports reach the queue', async () => {
    const { comment } = await commentBy(s, '被同一网络刷举报');
    for (let i = 0; i < 10; i++) expect((await report(readerFrom(s, net(0)), comment.id)).status).toBe(201);
    expect((await listed()).map((c) => [c.id, c.status])).toEqual([[comment.id, 'published']]);
    const q = (await admin.get('/api/admin/queue?queue=reported')).body;
    expect(q.items[0].comment).toMatchObject({ id: comment.id, status: 'published', reportsOpen: 10 });
  });

  it('does not hide a comment reported by three established authors sharing one network', async () => {
    const { comment } = await commentBy(s, '一家人都来举报');
    const family = [await established(0), await established(0), await established(0)];
    for (const r of family) expect((await report(r, comment.id)).status).toBe(201);
    expect((await listed()).map((c) => c.status)).toContain('published');
  });

  it('hides a comment once established authors from three networks report it', async () => {
    const { comment } = await commentBy(s, '三个网络的举报');
    const reporters = [await established(0), await established(1), await established(2)];
    await report(reporters[0], comment.id);
    await report(reporters[1], comment.id);
    expect((await listed()).find((c) => c.id === comment.id)?.status).toBe('published');
    const removed = nextEvent(watcher, 'comment:removed', forId(comment.id));
    await report(reporters[2], comment.id);
    expect(await removed).toMatchObject({ comment: null });
    expect((await listed()).find((c) => c.id === comment.id)).toBeUndefined();
  });

  it('weighs a fresh cookie at half: fresh cookies need six networks to reach the default threshold of 3', async () => {
    const { comment } = await commentBy(s, '六个网络的新读者');
    for (let i = 0; i < 5; i++) await report(readerFrom(s, net(i)), comment.id);
    expect((await listed()).find((c) => c.id === comment.id)?.status).toBe('published');
    await report(readerFrom(s, net(5)), comment.id);
    expect((await listed()).find((c) => c.id === comment.id)).toBeUndefined();
  });

  it('keeps the replies of a hidden top-level comment visible under a placeholder until a moderator decides', async () => {
    const { reader: author, comment } = await commentBy(s, '有回复的评论');
    const { comment: reply } = await commentBy(s, '一条回复', reader(s), { parentId: comment.id });
    const { comment: deep } = await commentBy(s, '回复的回复', reader(s), { parentId: reply.id });
    for (let i = 0; i < 2; i++) await report(await established(i), comment.id);
    const turned = nextEvent(watcher, 'comment:removed', forId(comment.id));
    await report(await established(2), comment.id);
    const placeholder = (await turned).comment;
    expect(placeholder).toMatchObject({ id: comment.id, status: 'hidden', body: '', html: '', authorName: '', replyCount: 2 });

    const page = await listed();
    const top = page.find((c) => c.id === comment.id) as unknown as { status: string; body: string; replies: { id: number }[] };
    expect(top).toMatchObject({ status: 'hidden', body: '' });
    expect(top.replies.map((r) => r.id)).toEqual([reply.id, deep.id]);
    const replies = await reader(s).get(`/api/comments/${comment.id}/replies`);
    expect(replies.status).toBe(200);
    expect(replies.headers['cache-control']).toMatch(/private/);
    expect(replies.body.replies.map((r: { id: number }) => r.id)).toEqual([reply.id, deep.id]);
    // The page renders the placeholder with its replies, and the author still sees their own text, held.
    const html = (await reader(s).get(`/articles/${s.article.slug}`)).text;
    expect(html).toContain('此评论正在等待管理员审核');
    expect(html).toContain('回复的回复');
    expect(html).not.toContain('有回复的评论');
    expect((await listed(author)).find((c) => c.id === comment.id)).toMatchObject({ status: 'pending', body: '有回复的评论' });

    const back = nextEvent(watcher, 'comment:updated', forId(comment.id));
    expect((await admin.post(`/api/admin/comments/${comment.id}/approve`, {})).status).toBe(200);
    expect((await back).comment).toMatchObject({ status: 'published', body: '有回复的评论' });
  });

  it('rejecting a hidden comment with replies leaves the usual removed placeholder', async () => {
    const { comment } = await commentBy(s, '将被拒绝');
    await commentBy(s, '回复', reader(s), { parentId: comment.id });
    for (let i = 0; i < 3; i++) await report(await established(i), comment.id);
    expect((await admin.post(`/api/admin/comments/${comment.id}/reject`, {})).status).toBe(200);
    expect((await listed()).find((c) => c.id === comment.id)).toMatchObject({ status: 'removed' });
  });

  it('answers 404 for the replies of a thread nobody may see', async () => {
    const { comment } = await commentBy(s, '无回复');
    await admin.post(`/api/admin/comments/${comment.id}/reject`, {});
    expect((await reader(s).get(`/api/comments/${comment.id}/replies`)).status).toBe(404);
  });
});

describe('banned readers cannot report', () => {
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });

  it('refuses a report from a banned author with 403 banned, over HTTP and over the socket', async () => {
    const mod = await signedIn(s, 'mod1');
    const { reader: troll, comment: trollComment } = await commentBy(s, '捣乱');
    const { comment: target } = await commentBy(s, '正常评论');
    await mod.post('/api/admin/bans', { commentId: trollComment.id, scope: 'author', reason: '滥用举报', removeComments: false });
    const res = await troll.post(`/api/comments/${target.id}/report`, { reason: 'spam' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'banned', details: { reason: '滥用举报' } });
    const socket = await connectSocket(s, { cookie: troll.cookie() });
    expect(await emitAck(socket, 'comment:report', { id: target.id, reason: 'spam' })).toMatchObject({ ok: false, error: { code: 'banned' } });
    expect(s.db.prepare('SELECT COUNT(*) FROM reports').pluck().get()).toBe(0);
  });

  it('refuses a report from a fresh cookie on a banned network', async () => {
    const mod = await signedIn(s, 'mod1');
    const troll = readerFrom(s, '203.0.113.9');
    const posted = await troll.post(`/api/articles/${s.article.slug}/comments`, { authorName: '捣乱', body: '来自坏网络' });
    const { comment: target } = await commentBy(s, '正常评论');
    await mod.post('/api/admin/bans', { commentId: posted.body.comment.id, scope: 'network', reason: '网络封禁', removeComments: false });
    const res = await readerFrom(s, '203.0.113.9').post(`/api/comments/${target.id}/report`, { reason: 'spam' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('banned');
    expect((await readerFrom(s, '203.0.113.10').post(`/api/comments/${target.id}/report`, { reason: 'spam' })).status).toBe(201);
  });
});
