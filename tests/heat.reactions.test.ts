// Reactions beyond 点赞: one of each kind per reader, toggled, counted on the comment and live, the reader's own
// shown to them, limited per network, stopped by bans, feeding 最热 (score = likes + every reaction).
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';
import { signedIn } from './helpers/moderation';

describe('reactions', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;
  const newComment = async (body = '有争议的观点') => (await postComment(reader(s), slug, { body })).body.comment as { id: number };
  const react = (r: ReturnType<typeof reader>, id: number, kind: string) => r.post(`/api/comments/${id}/reactions`, { kind });

  it('toggles one reaction of a kind per reader and answers the comment\'s counts', async () => {
    const c = await newComment();
    const a = reader(s);
    const b = reader(s);
    expect((await react(a, c.id, 'agree')).body).toEqual({ id: c.id, kind: 'agree', on: true, reactions: { agree: 1 }, seq: expect.any(Number) });
    expect((await react(a, c.id, 'laugh')).body.reactions).toEqual({ agree: 1, laugh: 1 });
    expect((await react(b, c.id, 'agree')).body.reactions).toEqual({ agree: 2, laugh: 1 });
    expect((await react(a, c.id, 'agree')).body).toEqual({ id: c.id, kind: 'agree', on: false, reactions: { agree: 1, laugh: 1 }, seq: expect.any(Number) });
    const listed = (await reader(s).get(`/api/articles/${slug}/comments`)).body.comments[0];
    expect(listed).toMatchObject({ id: c.id, reactions: { agree: 1, laugh: 1 } });
  });

  it('tells a reader the site\'s set and their own reactions, nothing to a stranger', async () => {
    const c = await newComment();
    const a = reader(s);
    await react(a, c.id, 'wow');
    await react(a, c.id, 'sad');
    expect((await a.get(`/api/articles/${slug}/reactions?ids=${c.id}`)).body).toEqual({
      kinds: ['agree', 'disagree', 'laugh', 'wow', 'sad', 'angry'],
      mine: { [c.id]: ['sad', 'wow'] },
    });
    expect((await reader(s).get(`/api/articles/${slug}/reactions?ids=${c.id}`)).body.mine).toEqual({});
    expect((await a.get(`/api/articles/${slug}/reactions?ids=1;DROP`)).status).toBe(400);
  });

  it('refuses a kind the site does not offer (400 unknown, 422 outside the set), storing nothing', async () => {
    const c = await newComment();
    expect((await react(reader(s), c.id, 'poop')).status).toBe(400);
    expect((await react(reader(s), c.id, 'heart')).body.error.code).toBe('reaction_not_offered');
    const admin = await signedIn(s, 'siteadmin', 'admin');
    await admin.patch('/api/admin/settings', { reactionSet: ['heart', 'agree'] }).expect(200);
    expect((await react(reader(s), c.id, 'heart')).body.reactions).toEqual({ heart: 1 });
    expect((await react(reader(s), c.id, 'laugh')).body.error.code).toBe('reaction_not_offered');
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM comment_reactions').get()).toEqual({ n: 1 });
  });

  it('caps one kind per network on a comment (429 reaction_limited with Retry-After)', async () => {
    const c = await newComment();
    for (let i = 0; i < 3; i++) expect((await react(reader(s), c.id, 'angry')).status).toBe(200);
    const capped = await react(reader(s), c.id, 'angry');
    expect(capped.status).toBe(429);
    expect(capped.body.error.code).toBe('reaction_limited');
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
    expect((await react(reader(s), c.id, 'wow')).status).toBe(200);
    s.clock.advance(24 * 3_600_000 + 1);
    expect((await react(reader(s), c.id, 'angry')).status).toBe(200);
  });

  it('refuses a banned reader with 403 banned', async () => {
    const c = await newComment();
    const troll = reader(s);
    const own = (await postComment(troll, slug, { body: '挑事' })).body.comment;
    const mod = await signedIn(s, 'banner');
    await mod.post('/api/admin/bans', { commentId: own.id, scope: 'author', reason: '刷屏', removeComments: false }).expect(201);
    expect((await react(troll, c.id, 'agree')).body.error.code).toBe('banned');
  });

  it('sends reactions:updated to other readers with counts only, and the kind to the reactor\'s own socket', async () => {
    const c = await newComment();
    const r = reader(s);
    await postComment(r, slug, { body: '先有身份' });
    const watcher = await connectSocket(s);
    const own = await connectSocket(s, { cookie: r.cookie() });
    await emitAck(watcher, 'join', { article: slug });
    await emitAck(own, 'join', { article: slug });
    const seen = nextEvent(watcher, 'reactions:updated');
    const ownSeen = nextEvent(own, 'reactions:updated');
    const ack = await emitAck(own, 'comment:react', { id: c.id, kind: 'laugh' });
    expect(ack).toEqual({ ok: true, data: { id: c.id, kind: 'laugh', on: true, reactions: { laugh: 1 }, seq: expect.any(Number) } });
    const e = await seen;
    expect(e).toEqual({ seq: expect.any(Number), article: slug, commentId: c.id, reactions: { laugh: 1 } });
    expect(await ownSeen).toEqual({ ...e, kind: 'laugh', on: true });
  });

  it('ranks 最热 by likes plus every reaction, pages included', async () => {
    const quiet = await newComment('平静');
    const liked = await newComment('被点赞');
    const hot = await newComment('被表态');
    await reader(s).post(`/api/comments/${liked.id}/like`).expect(200);
    for (const k of ['agree', 'disagree', 'laugh']) await react(reader(s), hot.id, k);
    const first = (await reader(s).get(`/api/articles/${slug}/comments?sort=top&limit=2`)).body;
    expect(first.comments.map((c: { id: number }) => c.id)).toEqual([hot.id, liked.id]);
    const next = (await reader(s).get(`/api/articles/${slug}/comments?sort=top&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).body;
    expect(next.comments.map((c: { id: number }) => c.id)).toEqual([quiet.id]);
  });
});
