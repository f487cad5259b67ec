import type { Socket } from 'socket.io-client';
import { connectSocket, emitAck, nextEvent, reader, useTestServer, type Reader } from './helpers/server';
import { auditEntries, commentBy, modSocket, signedIn, type ModAgent } from './helpers/moderation';

const MIN = 60_000;
const ELSEWHERE = '203.0.113.7';

describe('bans', () => {
  let mod: ModAgent;
  let otherReader: Socket;

  // Trusting the loopback proxy lets a test speak from another network with X-Forwarded-For;
  // without the header every request still comes from 127.0.0.1.
  const s = useTestServer({ env: { TRUST_PROXY: 'loopback' } });
  beforeEach(async () => {
    mod = await signedIn(s, 'mod1');
    otherReader = await connectSocket(s);
    await emitAck(otherReader, 'join', { article: s.article.slug });
  });

  const ban = (commentId: number, over: Record<string, unknown> = {}) => mod.post('/api/admin/bans', { commentId, scope: 'author', reason: '恶意刷屏', removeComments: false, ...over });
  const post = (r: Reader, body: string, from?: string) => {
    const req = r.post(`/api/articles/${s.article.slug}/comments`, { authorName: '读者', body });
    return from ? req.set('X-Forwarded-For', from) : req;
  };

  it('bans an author by their token: their next post gets 403 banned with the reason; another reader on the same network still posts', async () => {
    const { reader: author, comment } = await commentBy(s, '第一条');
    const res = await ban(comment.id);
    expect(res.status).toBe(201);
    expect(res.body.bans).toHaveLength(1);
    expect(res.body.bans[0]).toMatchObject({ authorId: expect.any(Number), ipHash: null, reason: '恶意刷屏', expiresAt: null });
    const refused = await post(author, '我又来了');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'banned', details: { reason: '恶意刷屏', until: null } });
    expect(refused.body.error.message).toContain('恶意刷屏');
    expect((await post(reader(s), '我是同一网络的另一位读者')).status).toBe(201);
    // The ban stays with the token, whatever network the author moves to.
    expect((await post(author, '换个网络试试', ELSEWHERE)).status).toBe(403);
    expect((await auditEntries(mod))[0]).toMatchObject({ moderatorName: 'mod1', action: 'author.ban', targetId: comment.id, reason: '恶意刷屏', details: { scope: 'author', removed: 0 } });
  });

  it('refuses a banned author over the socket too', async () => {
    const { reader: author, comment } = await commentBy(s, '第一条');
    await ban(comment.id);
    const socket = await connectSocket(s, { cookie: author.cookie() });
    await emitAck(socket, 'join', { article: s.article.slug });
    const ack = await emitAck(socket, 'comment:post', { authorName: '读者', body: '从套接字发' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'banned', details: { reason: '恶意刷屏' } } });
    socket.disconnect();
  });

  it('bans a network by its IP hash: a new reader with a fresh cookie from the same IP is banned, another network is not', async () => {
    const { comment } = await commentBy(s, '来自本机');
    const res = await ban(comment.id, { scope: 'network' });
    expect(res.body.bans).toEqual([expect.objectContaining({ authorId: null, ipHash: expect.stringMatching(/^[\w-]{22}$/) })]);
    const fresh = reader(s);
    const refused = await post(fresh, '新读者,同一地址');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('banned');
    expect((await post(reader(s), '新读者,另一网络', ELSEWHERE)).status).toBe(201);
  });

  it('bans both token and network with scope both', async () => {
    const { reader: author, comment } = await commentBy(s, '两样都封');
    const res = await ban(comment.id, { scope: 'both' });
    expect(res.body.bans.map((b: { authorId: number | null; ipHash: string | null }) => [b.authorId !== null, b.ipHash !== null])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect((await post(author, '换网络也不行', ELSEWHERE)).status).toBe(403);
    expect((await post(reader(s), '同网络新读者')).status).toBe(403);
  });

  it('never stores a raw IP: bans, comments, authors (and every other table) hold only hashes', async () => {
    const { reader: author, comment } = await commentBy(s, '本机的评论');
    await post(author, '另一网络的评论', ELSEWHERE);
    await reader(s).post(`/api/comments/${comment.id}/report`, { reason: 'spam' });
    await ban(comment.id, { scope: 'both' });
    const tables = (s.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));
    expect(tables).toEqual(expect.arrayContaining(['bans', 'comments', 'authors']));
    for (const t of tables) {
      const dump = JSON.stringify(s.db.prepare(`SELECT * FROM "${t}"`).all());
      expect({ t, has127: dump.includes('127.0.0.1'), hasOther: dump.includes(ELSEWHERE) }).toEqual({ t, has127: false, hasOther: false });
    }
    const ipHashes = s.db.prepare(`SELECT DISTINCT ip_hash FROM comments`).pluck().all();
    expect(ipHashes).toHaveLength(2);
  });

  it('with removeComments removes every live comment of the author, live for readers, and reports how many', async () => {
    const author = reader(s);
    const { comment: a } = await commentBy(s, '第一条', author);
    const { comment: b } = await commentBy(s, '第二条', author);
    const { comment: keep } = await commentBy(s, '别人的评论');
    const gone = new Set<number>();
    const bothGone = new Promise<void>((resolve) =>
      otherReader.on('comment:removed', (p: { id: number; comment: unknown }) => {
        expect(p.comment).toBeNull();
        gone.add(p.id);
        if (gone.has(a.id) && gone.has(b.id)) resolve();
      }),
    );
    const res = await ban(a.id, { removeComments: true });
    expect(res.body.removed).toBe(2);
    await bothGone;
    expect(gone.has(keep.id)).toBe(false);
    const listed = (await reader(s).get(`/api/articles/${s.article.slug}/comments`)).body.comments.map((c: { id: number }) => c.id);
    expect(listed).toEqual([keep.id]);
    const rejected = (await mod.get('/api/admin/queue?queue=rejected')).body.items.map((i: { comment: { id: number; moderationNote: string } }) => [i.comment.id, i.comment.moderationNote]);
    expect(rejected).toEqual([
      [b.id, '恶意刷屏'],
      [a.id, '恶意刷屏'],
    ]);
  });

  it('ends a timed ban when its time is up (clock advanced), and says until when meanwhile', async () => {
    const { reader: author, comment } = await commentBy(s, '临时封禁');
    const at = s.clock.now;
    await ban(comment.id, { durationMinutes: 30 });
    const refused = await post(author, '封禁期间');
    expect(refused.body.error.details).toEqual({ reason: '恶意刷屏', until: new Date(at + 30 * MIN).toISOString() });
    expect((await mod.get('/api/admin/bans')).body.bans).toHaveLength(1);
    s.clock.advance(30 * MIN - 1000);
    expect((await post(author, '还差一秒')).status).toBe(403);
    s.clock.advance(1000);
    expect((await post(author, '封禁结束了')).status).toBe(201);
    expect((await mod.get('/api/admin/bans')).body.bans).toEqual([]);
    expect((await mod.get('/api/admin/bans?all=1')).body.bans).toHaveLength(1);
  });

  it('lifts a ban with DELETE /api/admin/bans/:id (audited); lifting it again answers 404', async () => {
    const { reader: author, comment } = await commentBy(s, '会被解封');
    const id = (await ban(comment.id)).body.bans[0].id;
    const queued = (await mod.get(`/api/admin/comments?ids=${comment.id}`)).body.items[0];
    expect(queued.author.ban).toMatchObject({ id, reason: '恶意刷屏' });
    const lifted = await mod.delete(`/api/admin/bans/${id}`);
    expect(lifted.status).toBe(200);
    expect(lifted.body.ban).toMatchObject({ id, liftedAt: expect.any(Number) });
    expect((await post(author, '解封后')).status).toBe(201);
    expect((await mod.delete(`/api/admin/bans/${id}`)).body.error.code).toBe('ban_not_found');
    expect((await auditEntries(mod))[0]).toMatchObject({ moderatorName: 'mod1', action: 'ban.lift', targetType: 'ban', targetId: id });
  });

  it('refuses a ban without a reason with 400 and one for an unknown comment with 404', async () => {
    const { comment } = await commentBy(s, '无理由');
    expect((await ban(comment.id, { reason: '' })).status).toBe(400);
    expect((await ban(999_999)).status).toBe(404);
    expect((await mod.get('/api/admin/bans')).body.bans).toEqual([]);
  });

  it('keeps the moderators informed: a ban with removeComments sends queue:changed', async () => {
    const admin = await signedIn(s, 'admin1', 'admin');
    const { comment } = await commentBy(s, '要被清理');
    const modSock = await modSocket(s, admin);
    const changed = nextEvent(modSock, 'queue:changed', (p: { ids: number[] }) => p.ids.includes(comment.id));
    await ban(comment.id, { removeComments: true });
    await changed;
    modSock.disconnect();
  });
});
