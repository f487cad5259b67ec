// The heated-thread tools and the reply inbox through the embed API: the own page's reader routes under
// /api/embed with exact-origin CORS, the bearer (or SSO) identity and no cookie; the socket refuses writes.
import request from 'supertest';
import { emitAck, nextEvent, useTestServer } from './helpers/server';
import { signedIn } from './helpers/moderation';
import { createSite, embedReader, embedSocket, HOST_ORIGIN, ssoToken } from './helpers/embed';

const SECRET = 's'.repeat(32);

describe('embed tools API', () => {
  const s = useTestServer({ env: { NOTIFY_POLL_MS: '50' } });
  const as = (r: ReturnType<typeof embedReader>, t: request.Test) => {
    t.set('Origin', HOST_ORIGIN);
    if (r.token) t.set('Authorization', `Bearer ${r.token}`);
    return t;
  };

  it('toggles a reaction for the bearer, hands a first-time reader a token, and answers their own choices', async () => {
    await createSite(s);
    const a = embedReader(s);
    const { comment, slug } = (await a.post('p-react', { body: '评论' })).body;
    const b = embedReader(s);
    const on = await as(b, request(s.url).post(`/api/embed/comments/${comment.id}/reactions`)).send({ kind: 'laugh' });
    expect(on.status).toBe(200);
    expect(on.headers['access-control-allow-origin']).toBe(HOST_ORIGIN);
    expect(on.headers['set-cookie']).toBeUndefined();
    expect(on.body).toMatchObject({ id: comment.id, kind: 'laugh', on: true, reactions: { laugh: 1 } });
    expect(on.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bTok = on.body.token as string;
    const mine = await request(s.url).get(`/api/embed/articles/${slug}/reactions?ids=${comment.id}`).set('Origin', HOST_ORIGIN).set('Authorization', `Bearer ${bTok}`);
    expect(mine.body.mine).toEqual({ [comment.id]: ['laugh'] });
    expect(mine.body.kinds).toContain('agree');
    const off = await request(s.url).post(`/api/embed/comments/${comment.id}/reactions`).set('Origin', HOST_ORIGIN).set('Authorization', `Bearer ${bTok}`).send({ kind: 'laugh' });
    expect(off.body).toMatchObject({ on: false, reactions: {} });
    expect(off.body.token).toBeUndefined();
    // Bad input changes nothing.
    const bad = await request(s.url).post(`/api/embed/comments/${comment.id}/reactions`).set('Origin', HOST_ORIGIN).set('Authorization', `Bearer ${bTok}`).send({ kind: '<b>' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
  });

  it('refuses another origin (403, no CORS header) and answers the preflight of a reaction', async () => {
    await createSite(s);
    const evil = await request(s.url).post('/api/embed/comments/1/reactions').set('Origin', 'http://evil.example').send({ kind: 'agree' });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await request(s.url).options('/api/embed/me/replies/read').set('Origin', HOST_ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(HOST_ORIGIN);
  });

  it('refuses a reaction without SSO on a site that requires it, and keys an SSO reader by site and sub', async () => {
    await createSite(s, { ssoSecret: SECRET, ssoRequired: true, loginUrl: 'https://news.example.com/login' });
    const sso = embedReader(s);
    sso.signIn(await ssoToken(SECRET, { sub: 'u1', name: '王编辑' }));
    const { comment } = (await sso.post('p-sso', { body: '登录后的评论' })).body;
    const guest = await request(s.url).post(`/api/embed/comments/${comment.id}/reactions`).set('Origin', HOST_ORIGIN).send({ kind: 'agree' });
    expect(guest.status).toBe(401);
    expect(guest.body.error.code).toBe('sso_required');
    const ok = await request(s.url).post(`/api/embed/comments/${comment.id}/reactions`).set('Origin', HOST_ORIGIN).set('Yilun-SSO', await ssoToken(SECRET, { sub: 'u2', name: '李' })).send({ kind: 'agree' });
    expect(ok.body).toMatchObject({ on: true, reactions: { agree: 1 } });
    // The embed socket refuses reactions too: writes go over HTTP, where the SSO rule applies.
    const socket = await embedSocket(s);
    expect((await emitAck(socket, 'comment:react', { id: comment.id, kind: 'wow' })).error?.code).toBe('embed_write_over_http');
  });

  it('shows the edit history and the picks of an embed thread', async () => {
    await createSite(s);
    const a = embedReader(s);
    const { comment, slug } = (await a.post('p-hist', { body: '初稿 <script>x</script>' })).body;
    await a.edit(comment.id, '定稿');
    const h = await request(s.url).get(`/api/embed/comments/${comment.id}/revisions`).set('Origin', HOST_ORIGIN);
    expect(h.status).toBe(200);
    expect(h.body.revisions).toHaveLength(1);
    expect(h.body.revisions[0].html).toContain('&lt;script&gt;');
    const mod = await signedIn(s, 'picker');
    await mod.post(`/api/admin/comments/${comment.id}/feature`).expect(200);
    const picks = await request(s.url).get(`/api/embed/articles/${slug}/featured`).set('Origin', HOST_ORIGIN);
    expect(picks.body.comments.map((c: { id: number; featured: boolean }) => [c.id, c.featured])).toEqual([[comment.id, true]]);
  });

  it('keeps the bearer reader\'s reply inbox: reply:received on their embed socket, the list, and marking read', async () => {
    await createSite(s);
    const a = embedReader(s);
    const { comment, slug } = (await a.post('p-inbox', { body: '原评论' })).body;
    // Nobody: no token, no inbox, nothing created.
    expect((await request(s.url).get('/api/embed/me/replies').set('Origin', HOST_ORIGIN)).body).toEqual({ unread: 0, items: [], mailAvailable: false });
    const socket = await embedSocket(s, { token: a.token });
    expect((await emitAck(socket, 'join', { article: slug })).ok).toBe(true);
    const heard = nextEvent(socket, 'reply:received');
    const reply = (await embedReader(s).post('p-inbox', { body: '回复你', parentId: comment.id })).body.comment;
    expect(await heard).toMatchObject({ unread: 1, reply: { id: reply.id, excerpt: '回复你' } });
    const inbox = await as(a, request(s.url).get('/api/embed/me/replies'));
    expect(inbox.headers['cache-control']).toBe('private, no-store');
    expect(inbox.body).toMatchObject({ unread: 1, mailAvailable: false });
    expect(inbox.body.items.map((i: { id: number }) => i.id)).toEqual([reply.id]);
    const read = await as(a, request(s.url).post('/api/embed/me/replies/read')).send({ ids: [reply.id] });
    expect(read.body).toEqual({ unread: 0 });
  });

  it('counts an embed socket typing in a page\'s thread and tells the other readers (a count, no names)', async () => {
    await createSite(s);
    const a = embedReader(s);
    const { slug } = (await a.post('p-typing', { body: '开帖' })).body;
    const typist = await embedSocket(s, { token: a.token });
    const other = await embedSocket(s);
    expect((await emitAck(typist, 'join', { article: slug })).ok).toBe(true);
    expect((await emitAck(other, 'join', { article: slug })).ok).toBe(true);
    const heard = nextEvent(other, 'typing:count');
    typist.emit('typing');
    expect(await heard).toEqual({ article: slug, count: 1 });
  });
});
