// The embed API as a host page on another origin uses it: exact-origin CORS, bearer identity instead of a
// cookie, a thread created only by an accepted first comment, batched counts, sockets from allowed sites.
import request from 'supertest';
import { emitAck, nextEvent, useTestServer } from './helpers/server';
import { signedIn, auditEntries } from './helpers/moderation';
import { createSite, embedReader, embedSocket, HOST_ORIGIN } from './helpers/embed';
import { pageSlug, normalizePageUrl } from '../server/embed/embed.pages';

describe('embed API', () => {
  const s = useTestServer();

  it('answers an allowed origin with its exact CORS origin and refuses any other with 403 and no CORS header', async () => {
    await createSite(s);
    const pre = await request(s.url).options('/api/embed/comments').set('Origin', HOST_ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(HOST_ORIGIN);
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    const evil = await embedReader(s, 'http://evil.example').thread('p1');
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe('origin_not_allowed');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const noOrigin = await request(s.url).get('/api/embed/thread?page=p1');
    expect(noOrigin.status).toBe(403);
  });

  it('creates no thread on a view; the first accepted comment creates it and hands back a bearer token, never a cookie', async () => {
    const site = await createSite(s, { moderationMode: 'pre' });
    const a = embedReader(s);
    const view = await a.thread('2025-05-nvidia', '&title=x');
    expect(view.status).toBe(200);
    expect(view.body.thread).toBeNull();
    expect(view.body.page.slug).toBe(pageSlug(site.id, 'id:2025-05-nvidia'));
    expect(await s.store.embed.pageThread(site.id, 'id:2025-05-nvidia')).toBeUndefined();
    const posted = await a.post('2025-05-nvidia', { title: '英伟达对他忍不住了', body: '第一条' });
    expect(posted.status).toBe(201);
    expect(posted.headers['set-cookie']).toBeUndefined();
    expect(posted.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(posted.body.comment).toMatchObject({ status: 'pending', mine: true });
    const thread = await s.store.embed.pageThread(site.id, 'id:2025-05-nvidia');
    expect(thread).toMatchObject({ title: '英伟达对他忍不住了', moderationMode: 'pre' });
    // The same reader (bearer) sees their held comment; another reader does not.
    expect((await a.thread('2025-05-nvidia')).body.thread.comments.map((c: { id: number }) => c.id)).toEqual([posted.body.comment.id]);
    expect((await embedReader(s).thread('2025-05-nvidia')).body.thread.comments).toEqual([]);
    // Our own article list (home page, /api/articles) stays ours; the console sees the thread like any other.
    expect((await request(s.url).get('/api/articles')).body.articles.map((x: { slug: string }) => x.slug)).toEqual(['test-article']);
  });

  it('leaves no thread behind when the first comment is refused', async () => {
    const site = await createSite(s);
    const r = await embedReader(s).post('p-refused', { body: '长'.repeat(5001) });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('comment_too_long');
    expect(r.body.token).toBeUndefined();
    expect(await s.store.embed.pageThread(site.id, 'id:p-refused')).toBeUndefined();
    expect(await s.store.articles.getBySlug(pageSlug(site.id, 'id:p-refused'))).toBeUndefined();
  });

  it('lets the bearer edit, delete and like as on the own page, and refuses another reader with 403 not_author', async () => {
    await createSite(s);
    const a = embedReader(s);
    const b = embedReader(s);
    const { comment } = (await a.post('p2', { body: '原文' })).body;
    expect((await b.edit(comment.id, '改掉')).status).toBe(403);
    expect((await a.edit(comment.id, '改过了')).body.comment.body).toBe('改过了');
    const liked = await b.like(comment.id);
    expect(liked.body).toMatchObject({ likes: 1, liked: true });
    expect(liked.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await b.like(comment.id)).body).toMatchObject({ likes: 0, liked: false });
    expect((await b.del(comment.id)).status).toBe(403);
    expect((await a.del(comment.id)).status).toBe(200);
    const bad = await request(s.url).patch(`/api/embed/comments/${comment.id}`).set('Origin', HOST_ORIGIN).set('Authorization', 'Bearer short').send({ body: 'x' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_token');
  });

  it('keys pages by page-id or by normalized URL on the site, and refuses a URL on another origin', async () => {
    expect(normalizePageUrl('HTTP://News.Example.com:80/a/b/?x=1#c')).toBe('http://news.example.com/a/b');
    expect(normalizePageUrl('https://news.example.com')).toBe('https://news.example.com/');
    expect(normalizePageUrl('javascript:alert(1)')).toBeNull();
    const site = await createSite(s);
    const a = embedReader(s);
    const r = await request(s.url).post('/api/embed/comments').set('Origin', HOST_ORIGIN).send({ url: `${HOST_ORIGIN}/news/1/?utm=x#top`, authorName: '读者', body: '按网址' });
    expect(r.status).toBe(201);
    expect(await s.store.embed.pageThread(site.id, `url:${HOST_ORIGIN}/news/1`)).toBeDefined();
    const other = await request(s.url).post('/api/embed/comments').set('Origin', HOST_ORIGIN).send({ url: 'https://elsewhere.example/news/1', authorName: '读者', body: '别处' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('invalid_page');
    expect((await a.thread('bad id with spaces')).status).toBe(422);
  });

  it('lists the site\'s newest published comments for the sidebar, bounded', async () => {
    await createSite(s);
    const a = embedReader(s);
    await a.post('r1', { title: '第一页', body: '较早' });
    await a.post('r2', { title: '第二页', body: '较新' });
    const recent = await request(s.url).get('/api/embed/recent?limit=1').set('Origin', HOST_ORIGIN);
    expect(recent.body.comments).toEqual([expect.objectContaining({ title: '第二页', excerpt: '较新', authorName: '读者' })]);
    expect((await request(s.url).get('/api/embed/recent?limit=500').set('Origin', HOST_ORIGIN)).status).toBe(400);
  });

  it('answers all counts of a host page in one request', async () => {
    await createSite(s);
    const a = embedReader(s);
    await a.post('c1', {});
    await a.post('c1', { body: '第二条' });
    await a.post('c2', { body: '另一页' });
    const r = await a.counts(['c1', 'c2', 'c3']);
    expect(r.body.counts.map((c: { page: string; count: number }) => [c.page, c.count])).toEqual([['c1', 2], ['c2', 1], ['c3', 0]]);
    expect((await a.counts(Array.from({ length: 101 }, (_, i) => `p${i}`))).status).toBe(400);
  });

  it('lets a socket from an allowed site connect with its bearer token, refuses other origins, and pushes counts to watchers', async () => {
    const site = await createSite(s);
    const a = embedReader(s);
    const { comment, slug } = (await a.post('live', { body: '第一条' })).body;
    await expect(embedSocket(s, {}, 'http://evil.example')).rejects.toThrow(/origin_not_allowed|xhr|websocket/);
    const watcher = await embedSocket(s);
    const watched = await emitAck(watcher, 'embed:watch', { slugs: [slug, pageSlug(site.id, 'id:none-yet')] });
    expect(watched).toEqual({ ok: true, data: { counts: { [slug]: 1 } } });
    const mine = await embedSocket(s, { token: a.token });
    const joined = await emitAck<{ seq: number }>(mine, 'join', { article: slug });
    expect(joined.ok).toBe(true);
    const counted = nextEvent(watcher, 'count:updated');
    const created = nextEvent(mine, 'comment:created');
    await embedReader(s).post('live', { body: '第二条' });
    expect(await counted).toEqual({ article: slug, count: 2 });
    expect((await created).comment.mine).toBe(false);
    // Writes go over HTTP, where the site's SSO rules apply; the embed socket refuses them.
    expect((await emitAck(mine, 'comment:post', { authorName: '甲', body: '走 socket' })).error?.code).toBe('embed_write_over_http');
    // Their own comment, edited over HTTP, reaches their socket as theirs (the author room joined by bearer).
    const updated = nextEvent(mine, 'comment:updated', (e) => e.id === comment.id);
    await a.edit(comment.id, '改过');
    expect((await updated).comment).toMatchObject({ mine: true, body: '改过' });
  });
});

describe('sites in the console', () => {
  const s = useTestServer();

  it('lets an admin create and edit sites, audited, and never answers the SSO secret', async () => {
    const admin = await signedIn(s, 'root', 'admin');
    const mod = await signedIn(s, 'mod', 'moderator');
    const body = { name: '新闻站', origins: [HOST_ORIGIN], moderationMode: 'pre', ssoSecret: 'k'.repeat(32), ssoRequired: true, loginUrl: 'https://news.example.com/login' };
    expect((await mod.post('/api/admin/sites', body)).status).toBe(403);
    const created = await admin.post('/api/admin/sites', body);
    expect(created.status).toBe(201);
    expect(created.body.site).toMatchObject({ name: '新闻站', origins: [HOST_ORIGIN], ssoEnabled: true, ssoRequired: true });
    expect(JSON.stringify(created.body)).not.toContain('k'.repeat(32));
    const bad = await admin.patch(`/api/admin/sites/${created.body.site.id}`, { ...body, origins: ['https://x.example/path'] });
    expect(bad.status).toBe(400);
    const edited = await admin.patch(`/api/admin/sites/${created.body.site.id}`, { name: '改名', origins: [HOST_ORIGIN, 'https://b.example'], moderationMode: null, ssoRequired: false });
    expect(edited.body.site).toMatchObject({ name: '改名', ssoEnabled: true, ssoRequired: false });
    expect((await admin.get('/api/admin/sites')).body.sites).toHaveLength(1);
    const audit = await auditEntries(admin);
    expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['site.create', 'site.update']));
    expect(JSON.stringify(audit)).not.toContain('k'.repeat(32));
    await embedReader(s, HOST_ORIGIN).post('renamed', { title: '旧标题' });
    const slug = (await admin.get(`/api/admin/sites/${created.body.site.id}/pages`)).body.pages[0].slug;
    expect((await admin.patch(`/api/admin/sites/${created.body.site.id}/pages/${slug}`, { title: '新标题' })).body).toEqual({ slug, title: '新标题' });
    expect((await s.store.articles.getBySlug(slug))?.title).toBe('新标题');
    expect((await admin.patch(`/api/admin/sites/${created.body.site.id}/pages/test-article`, { title: 'x' })).status).toBe(404);
    // The edit reaches the origin check at once on this node.
    expect((await embedReader(s, 'https://b.example').thread('p')).status).toBe(200);
  });
});
