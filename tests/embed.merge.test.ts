// Merging two page threads in the console (a page whose URL changed): the admin route and its refusals, the
// old page resolving to the merged thread, and what live readers of both threads hear.
import request from 'supertest';
import { emitAck, nextEvent, record, useTestServer } from './helpers/server';
import { LIVE_MERGE_MAX } from '../server/embed/embed.merge';
import { auditEntries, signedIn } from './helpers/moderation';
import { createSite, embedReader, embedSocket } from './helpers/embed';

describe('merging page threads', () => {
  const s = useTestServer();

  const setUp = async () => {
    const site = await createSite(s);
    const admin = await signedIn(s, 'root', 'admin');
    const a = embedReader(s);
    const b = embedReader(s);
    const into = (await a.post('new-url', { title: '新地址', body: '新址第一条' })).body.slug as string;
    const top = (await a.post('old-url', { title: '旧地址', body: '旧址评论' })).body;
    const rep = (await b.post('old-url', { body: '旧址回复', parentId: top.comment.id })).body;
    await b.like(top.comment.id);
    const merge = (from: string, body: object, siteId = site.id) => admin.post(`/api/admin/sites/${siteId}/pages/${from}/merge`, body);
    return { site, admin, a, b, into, from: top.slug as string, top: top.comment, rep: rep.comment, merge };
  };

  it('moves every comment with its replies and likes, keeps the counts, resolves the old page to the merged thread and audits it', async () => {
    const { site, admin, a, b, into, from, top, rep, merge } = await setUp();
    const r = await merge(from, { into });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ from, into, moved: 2, commentCount: 3 });
    const old = await b.thread('old-url');
    expect(old.body.page.slug).toBe(into);
    expect(old.body.thread.commentCount).toBe(3);
    const moved = old.body.thread.comments.find((c: { id: number }) => c.id === top.id);
    expect(moved).toMatchObject({ likes: 1, liked: true, replyCount: 1 });
    expect(moved.replies.map((c: { id: number }) => c.id)).toEqual([rep.id]);
    expect((await b.counts(['old-url', 'new-url'])).body.counts).toEqual([
      { page: 'old-url', slug: into, count: 3 },
      { page: 'new-url', slug: into, count: 3 },
    ]);
    // The author keeps editing their moved comment; a new post on the old page lands in the merged thread.
    expect((await a.edit(top.id, '改过')).status).toBe(200);
    expect((await b.post('old-url', { body: '合并之后' })).body.slug).toBe(into);
    expect((await admin.get(`/api/admin/sites/${site.id}/pages`)).body.pages.map((p: { slug: string }) => p.slug)).toEqual([into]);
    // The old thread's own address (the console's link) leads to the merged one.
    const moved301 = await request(s.url).get(`/articles/${from}`);
    expect([moved301.status, moved301.headers.location]).toEqual([301, `/articles/${into}`]);
    expect((await auditEntries(admin)).find((e: { action: string }) => e.action === 'site.page_merge')).toMatchObject({
      details: { site: site.id, from, into, moved: 2 },
    });
  });

  it('refuses the same thread, another site, an unknown or merged thread and a closed one with clear errors, changing nothing', async () => {
    const { site, admin, into, from, merge } = await setUp();
    const other = await createSite(s, { name: '别的站', origins: ['http://127.0.0.1:18081'] });
    const foreign = (await s.store.embed.createPageThread({ siteId: other.id, pageKey: 'id:x', pageUrl: null, slug: 'e9-x', title: '别站', moderationMode: null, createdAt: 0 })).article.slug;
    const expectRefusal = async (res: request.Response, status: number, code: string) => {
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
      expect(res.body.error.message).toEqual(expect.any(String));
    };
    await expectRefusal(await merge(from, { into: from }), 422, 'merge_same_thread');
    await expectRefusal(await merge(from, { into: foreign }), 422, 'merge_other_site');
    await expectRefusal(await merge(from, { into: 'test-article' }), 422, 'merge_other_site');
    await expectRefusal(await merge(from, { into: 'e1-000000000000000000000000' }), 404, 'merge_target_not_found');
    await expectRefusal(await merge(foreign, { into }), 404, 'page_not_found');
    await expectRefusal(await merge(from, { into }, other.id + 99), 404, 'site_not_found');
    expect((await merge(from, {})).status).toBe(400);
    expect((await merge(from, { into, extra: 1 })).status).toBe(400);
    expect((await admin.patch(`/api/admin/articles/${into}`, { commentsClosed: true })).status).toBe(200);
    await expectRefusal(await merge(from, { into }), 409, 'merge_closed');
    expect((await s.store.articles.getBySlug(from))!.commentCount).toBe(2);
    expect((await s.store.embed.pageThread(site.id, 'id:old-url'))!.slug).toBe(from);
    const mod = await signedIn(s, 'mod', 'moderator');
    expect((await mod.post(`/api/admin/sites/${site.id}/pages/${from}/merge`, { into })).status).toBe(403);
  });

  it('refuses to merge a thread again once merged', async () => {
    const { into, from, merge } = await setUp();
    expect((await merge(from, { into })).status).toBe(200);
    expect((await merge(from, { into })).body.error.code).toBe('merge_merged');
    expect((await merge(into, { into: from })).body.error.code).toBe('merge_merged');
  });

  it('refuses with 409 thread_merged a post accepted as the merge commits, instead of storing it in the old thread', async () => {
    const { b, into, from, merge } = await setUp();
    // The race made certain: the merge commits right after the post has read its (old) thread.
    const articles = s.store.articles;
    const getBySlug = articles.getBySlug;
    let armed = true;
    articles.getBySlug = async (slug: string) => {
      const a = await getBySlug.call(articles, slug);
      if (armed && slug === from) {
        armed = false;
        expect((await merge(from, { into })).status).toBe(200);
      }
      return a;
    };
    try {
      const r = await b.post('old-url', { body: '与合并同时' });
      expect(armed).toBe(false);
      expect([r.status, r.body.error?.code]).toEqual([409, 'thread_merged']);
      expect(r.body.error.message).toEqual(expect.any(String));
      expect(r.body.error.details).toEqual({ into });
    } finally {
      articles.getBySlug = getBySlug;
    }
    expect((await s.store.articles.getBySlug(from))!).toMatchObject({ commentCount: 0 });
    expect((await s.store.articles.getBySlug(into))!.commentCount).toBe(3);
    // Reloaded, the page resolves to the merged thread and the post goes there.
    expect((await b.post('old-url', { body: '重发' })).body.slug).toBe(into);
  });

  it('shows the moved comments live to a reader of the target, tells readers of the old thread to reload, and moves count widgets', async () => {
    const { a, into, from, top, rep, merge } = await setUp();
    const reader = await embedSocket(s);
    const joined = await emitAck<{ seq: number }>(reader, 'join', { article: into, since: 1 });
    expect(joined.ok).toBe(true);
    const mine = await embedSocket(s, { token: a.token });
    expect((await emitAck(mine, 'join', { article: from, since: 0 })).ok).toBe(true);
    const watcher = await embedSocket(s);
    await emitAck(watcher, 'embed:watch', { slugs: [from, into] });

    const created: { seq: number; id: number; article: string; count: number; comment: { body: string } }[] = [];
    reader.on('comment:created', (e) => created.push(e));
    const updated = nextEvent(reader, 'article:updated');
    const reload = nextEvent(mine, 'thread:merged');
    const counted = nextEvent(watcher, 'count:updated', (e) => e.article === into && e.count === 3);
    expect((await merge(from, { into })).status).toBe(200);

    expect(await updated).toMatchObject({ article: into, commentCount: 3, seq: joined.data!.seq + 3 });
    expect(created.map((e) => [e.id, e.article, e.seq, e.comment.body])).toEqual([
      [top.id, into, joined.data!.seq + 1, '旧址评论'],
      [rep.id, into, joined.data!.seq + 2, '旧址回复'],
    ]);
    expect(await reload).toEqual({ article: from, into, count: 3 });
    expect(await counted).toEqual({ article: into, count: 3 });
    // A reader who missed it catches up through the ordinary join; one rejoining the old thread starts over.
    const late = await embedSocket(s);
    const caught = await emitAck<{ changes: { id: number }[]; reset: boolean }>(late, 'join', { article: into, since: 1 });
    expect(caught.data).toMatchObject({ reset: false });
    expect(caught.data!.changes.map((c) => c.id)).toEqual([top.id, rep.id]);
    const stale = await emitAck<{ reset: boolean }>(late, 'join', { article: from, since: 3 });
    expect(stale.data).toMatchObject({ reset: true });
  });

  it('past the live bound sends the target\'s readers only the closing seq, and their catch-up join brings every moved comment', async () => {
    const { a, into, from, merge } = await setUp();
    const source = (await s.store.articles.getBySlug(from))!;
    for (let i = 0; i < LIVE_MERGE_MAX; i++) {
      await s.store.comments.insert({ articleId: source.id, parent: null, authorId: null, newAuthorTokenHash: `bulk-${i}`, authorName: '读者', body: `第 ${i} 条`, html: `<p>第 ${i} 条</p>`, status: 'published', heldReason: null, ipHash: 'net', createdAt: s.clock.now });
    }
    const reader = await embedSocket(s, { token: a.token });
    const joined = await emitAck<{ seq: number }>(reader, 'join', { article: into, since: 1 });
    const heard = record(reader, ['comment:created', 'article:updated']);
    const updated = nextEvent(reader, 'article:updated');
    expect((await merge(from, { into })).body).toMatchObject({ moved: LIVE_MERGE_MAX + 2, commentCount: LIVE_MERGE_MAX + 3 });
    const closing = await updated;
    expect(closing).toMatchObject({ article: into, seq: joined.data!.seq + LIVE_MERGE_MAX + 3, commentCount: LIVE_MERGE_MAX + 3 });
    expect(heard.filter((e) => e.event === 'comment:created')).toEqual([]);
    const caught = await emitAck<{ changes: { id: number }[]; reset: boolean; seq: number }>(reader, 'join', { article: into, since: joined.data!.seq });
    expect(caught.data).toMatchObject({ reset: false, seq: closing.seq });
    expect(caught.data!.changes).toHaveLength(LIVE_MERGE_MAX + 2);
  });
});
