// Slow mode: a moderator sets an interval per article; each author (and network) then posts once per interval
// there, replies included, on HTTP and on the socket alike, moderators exempt; open pages hear it go on and off.
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';
import { auditEntries, signedIn } from './helpers/moderation';

describe('slow mode', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;
  const setSlow = async (seconds: number) => {
    const admin = await signedIn(s, `mod${seconds}x${Math.random().toString(36).slice(2, 6)}`);
    const res = await admin.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: seconds });
    expect(res.status).toBe(200);
    return { admin, res };
  };

  it('is carried by the admin article JSON and the comments page, and audited', async () => {
    const { admin, res } = await setSlow(120);
    expect(res.body.article).toMatchObject({ slug, slowModeSeconds: 120 });
    expect((await reader(s).get(`/api/articles/${slug}/comments`)).body.slowModeSeconds).toBe(120);
    expect((await admin.get('/api/admin/articles')).body.articles[0]).toMatchObject({ slowModeSeconds: 120 });
    const [entry] = await auditEntries(admin);
    expect(entry).toMatchObject({ action: 'article.settings', details: { slowModeSeconds: 120, changes: [{ key: 'slowModeSeconds', from: 0, to: 120 }] } });
  });

  it('refuses a second post inside the interval with 429 slow_mode and Retry-After, and lets it through at the boundary', async () => {
    await setSlow(120);
    const r = reader(s);
    expect((await postComment(r, slug, { body: '第一条' })).status).toBe(201);
    s.clock.advance(30_000);
    const refused = await postComment(r, slug, { body: '第二条' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'slow_mode', details: { retryAfter: 90, slowModeSeconds: 120 } });
    expect(refused.body.error.message).toContain('每 2 分钟');
    expect(refused.headers['retry-after']).toBe('90');
    s.clock.advance(89_999);
    expect((await postComment(r, slug, { body: '差一毫秒' })).status).toBe(429);
    s.clock.advance(1);
    expect((await postComment(r, slug, { body: '正好到点' })).status).toBe(201);
  });

  it('counts replies, applies per author (not to other readers on the same network), and per article', async () => {
    await setSlow(30);
    const r = reader(s);
    const first = (await postComment(r, slug, { body: '楼主' })).body.comment;
    expect((await postComment(r, slug, { body: '自己回复', parentId: first.id })).body.error.code).toBe('slow_mode');
    expect((await postComment(reader(s), slug, { body: '同一网络的另一位读者' })).status).toBe(201);
    await s.store.articles.insert({ slug: 'other-article', title: '另一篇', body: '正文', createdAt: s.clock.now });
    expect((await postComment(r, 'other-article', { body: '别的文章不限' })).status).toBe(201);
  });

  it('is enforced on the socket with the same code in the ack', async () => {
    await setSlow(600);
    const r = reader(s);
    await postComment(r, slug, { body: '先发一条' });
    const sock = await connectSocket(s, { cookie: r.cookie() });
    await emitAck(sock, 'join', { article: slug });
    const ack = await emitAck(sock, 'comment:post', { authorName: '读者', body: '再来一条' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'slow_mode', details: { retryAfter: 600 } } });
    s.clock.advance(600_000);
    expect((await emitAck(sock, 'comment:post', { authorName: '读者', body: '到时间了' })).ok).toBe(true);
  });

  it('lets one of two posts sent at once through (HTTP and socket together): the write checks again', async () => {
    await setSlow(120);
    const r = reader(s);
    expect((await postComment(r, slug, { body: '第一条' })).status).toBe(201);
    s.clock.advance(120_000);
    const sock = await connectSocket(s, { cookie: r.cookie() });
    await emitAck(sock, 'join', { article: slug });
    const [http, ack] = await Promise.all([
      postComment(r, slug, { body: '同时一' }),
      emitAck(sock, 'comment:post', { authorName: '读者', body: '同时二' }),
    ]);
    expect([http.status === 201, ack.ok].filter(Boolean)).toHaveLength(1);
    const refused = http.status === 201 ? ack.error : http.body.error;
    expect(refused).toMatchObject({ code: 'slow_mode', details: { retryAfter: 120, slowModeSeconds: 120 } });
  });

  it('exempts a signed-in moderator', async () => {
    const { admin } = await setSlow(600);
    expect((await postComment(admin, slug, { body: '版主说明一' })).status).toBe(201);
    expect((await postComment(admin, slug, { body: '版主说明二' })).status).toBe(201);
  });

  it('does nothing when off (0) and reaches open pages live when turned on and off', async () => {
    const r = reader(s);
    await postComment(r, slug, { body: '一' });
    await postComment(r, slug, { body: '二' });
    const watcher = await connectSocket(s);
    expect((await emitAck<{ slowModeSeconds: number }>(watcher, 'join', { article: slug })).data?.slowModeSeconds).toBe(0);
    const on = nextEvent(watcher, 'article:updated');
    const { admin } = await setSlow(30);
    expect(await on).toMatchObject({ article: slug, slowModeSeconds: 30 });
    const off = nextEvent(watcher, 'article:updated');
    await admin.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: 0 });
    expect(await off).toMatchObject({ article: slug, slowModeSeconds: 0 });
    expect((await postComment(r, slug, { body: '三' })).status).toBe(201);
  });

  it('refuses an interval that is negative, fractional or over a day, changing nothing', async () => {
    const admin = await signedIn(s, 'strict');
    for (const v of [-1, 1.5, 86_401, '30']) expect((await admin.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: v })).status).toBe(400);
    expect((await s.store.articles.getBySlug(slug))!.slowModeSeconds).toBe(0);
  });

  it('shows the notice above the form on the page', async () => {
    await setSlow(120);
    const html = (await reader(s).get(`/articles/${slug}`)).text;
    expect(html).toContain('慢速模式：每 2 分钟可发言一次');
  });
});
