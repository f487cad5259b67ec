// Likes cannot be stuffed by cycling cookies: at most three likes from one network count on one comment
// per day, and a banned author or network cannot like (HTTP and socket).
import { connectSocket, emitAck, postComment, reader, useTestServer, type Reader } from './helpers/server';
import { commentBy, signedIn } from './helpers/moderation';

const DAY = 24 * 3_600_000;

describe('likes per network', () => {
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });
  const like = (r: Reader, id: number, ip?: string) => {
    const req = r.agent.post(`/api/comments/${id}/like`).set('Origin', s.origin);
    return ip ? req.set('X-Forwarded-For', ip) : req;
  };
  const likesOf = (id: number) => s.db.prepare('SELECT likes FROM comments WHERE id = ?').pluck().get(id) as number;
  const rows = (id: number) => s.db.prepare('SELECT COUNT(*) FROM reactions WHERE comment_id = ?').pluck().get(id) as number;

  it('counts three fresh cookies from one network and refuses the fourth with 429 like_limited and Retry-After, for a day', async () => {
    const { comment } = await commentBy(s, '刷赞目标');
    for (let i = 0; i < 3; i++) expect((await like(reader(s), comment.id, '198.51.100.1')).body).toMatchObject({ liked: true, likes: i + 1 });
    const fourth = await like(reader(s), comment.id, '198.51.100.1');
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('like_limited');
    expect(Number(fourth.headers['retry-after'])).toBe(DAY / 1000);
    expect([likesOf(comment.id), rows(comment.id)]).toEqual([3, 3]);
    // Another network, and another comment from the same network, are not affected.
    expect((await like(reader(s), comment.id, '198.51.100.2')).status).toBe(200);
    const { comment: other } = await commentBy(s, '另一条');
    expect((await like(reader(s), other.id, '198.51.100.1')).status).toBe(200);
    s.clock.advance(DAY + 1);
    expect((await like(reader(s), comment.id, '198.51.100.1')).status).toBe(200);
    expect(likesOf(comment.id)).toBe(5);
  });

  it('lets a capped network still take its likes back, keeping the count equal to the rows', async () => {
    const { comment } = await commentBy(s, '取消点赞');
    const fans = [reader(s), reader(s), reader(s)];
    for (const f of fans) await like(f, comment.id, '198.51.100.1');
    const undo = await like(fans[0], comment.id, '198.51.100.1');
    expect(undo.body).toMatchObject({ liked: false, likes: 2 });
    expect([likesOf(comment.id), rows(comment.id)]).toEqual([2, 2]);
  });

  it('holds the cap when the likes arrive all at once', async () => {
    const { comment } = await commentBy(s, '并发刷赞');
    const res = await Promise.all(Array.from({ length: 8 }, () => like(reader(s), comment.id, '198.51.100.1')));
    expect(res.filter((r) => r.status === 200)).toHaveLength(3);
    expect(res.filter((r) => r.status === 429)).toHaveLength(5);
    expect(likesOf(comment.id)).toBe(3);
  });
});

describe('banned readers cannot like', () => {
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });

  it('refuses a like from a banned author with 403 banned over HTTP and over the socket', async () => {
    const mod = await signedIn(s, 'mod1');
    const { reader: troll, comment: mine } = await commentBy(s, '捣乱');
    const { comment: target } = await commentBy(s, '好评论');
    await mod.post('/api/admin/bans', { commentId: mine.id, scope: 'author', reason: '刷赞', removeComments: false });
    const res = await troll.post(`/api/comments/${target.id}/like`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'banned', details: { reason: '刷赞' } });
    const socket = await connectSocket(s, { cookie: troll.cookie() });
    expect(await emitAck(socket, 'comment:like', { id: target.id })).toMatchObject({ ok: false, error: { code: 'banned' } });
    expect(s.db.prepare('SELECT likes FROM comments WHERE id = ?').pluck().get(target.id)).toBe(0);
  });

  it('refuses a like from a fresh cookie on a banned network, and creates no author row for it', async () => {
    const mod = await signedIn(s, 'mod1');
    const troll = reader(s);
    const posted = await troll.agent.post(`/api/articles/${s.article.slug}/comments`).set('Origin', s.origin).set('X-Forwarded-For', '203.0.113.9').send({ authorName: '捣乱', body: '坏网络' });
    const { comment: target } = await postComment(reader(s), s.article.slug, { body: '好评论' }).then((r) => r.body as { comment: { id: number } });
    await mod.post('/api/admin/bans', { commentId: posted.body.comment.id, scope: 'network', reason: '网络封禁', removeComments: false });
    const authors = s.db.prepare('SELECT COUNT(*) FROM authors').pluck().get();
    const res = await reader(s).agent.post(`/api/comments/${target.id}/like`).set('Origin', s.origin).set('X-Forwarded-For', '203.0.113.9');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('banned');
    expect(s.db.prepare('SELECT COUNT(*) FROM authors').pluck().get()).toBe(authors);
  });
});
