// An article's byline and date (content front matter) and staff posts: the 作者/编辑 badge comes from a
// signed-in moderator's session, never from what a request says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArticleText } from '../server/articles/articles.content';
import { addArticleFromFile } from '../server/articles/articles.service';
import { connectSocket, emitAck, nextEvent, postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';
import { signedIn } from './helpers/moderation';

describe('front matter', () => {
  it('reads the byline, a calendar date and the author account, and leaves the title and text as before', () => {
    const a = parseArticleText('---\nauthor: 张三\ndate: 2025-05-03\nauthor_account: zhang\n---\n标题\n第一段。\n');
    expect(a).toEqual({ title: '标题', body: '第一段。', byline: '张三', publishedAt: Date.UTC(2025, 4, 3, 12), authorAccount: 'zhang' });
    expect(parseArticleText('标题\n第一段。')).toEqual({ title: '标题', body: '第一段。' });
    expect(parseArticleText('---\ndate: 2025-05-03T09:30+08:00\n---\n标题\n段。').publishedAt).toBe(Date.UTC(2025, 4, 3, 1, 30));
  });

  it('refuses an unknown key, a date it cannot read and an unclosed block, naming the problem', () => {
    expect(() => parseArticleText('---\nwriter: 张三\n---\n标题\n段。')).toThrow(/"writer" is not one of author, date, author_account/);
    expect(() => parseArticleText('---\ndate: 5月3日\n---\n标题\n段。')).toThrow(/date "5月3日"/);
    expect(() => parseArticleText('---\nauthor: 张三\n标题\n段。')).toThrow(/no closing "---"/);
  });
});

describe('the byline on the page', () => {
  const s = useTestServer();

  it('shows the byline and the date in the site time zone, with the full time on hover', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-byline-'));
    const file = path.join(dir, 'late-news.txt');
    fs.writeFileSync(file, '---\nauthor: 张三\ndate: 2025-05-03T23:30+00:00\n---\n深夜新闻\n正文。\n');
    await addArticleFromFile(s.store, file, s.clock.now);
    const html = (await reader(s).get('/articles/late-news').expect(200)).text;
    expect(html).toContain('<span class="article-byline">作者：张三</span>');
    // 23:30 UTC is the next morning in Asia/Shanghai.
    expect(html).toMatch(/<time class="article-date" datetime="2025-05-03T23:30:00.000Z" title="2025年5月4日 07:30 GMT\+8">2025年5月4日<\/time>/);
    const en = (await reader(s).get('/articles/late-news?lang=en').expect(200)).text;
    expect(en).toContain('By 张三');
    expect(en).toContain('May 4, 2025');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows no byline line for an article without front matter', async () => {
    const html = (await reader(s).get(`/articles/${TEST_SLUG}`).expect(200)).text;
    expect(html).not.toContain('article-byline');
    expect(html).not.toContain('article-date');
  });
});

describe('staff posts', () => {
  const s = useTestServer();

  it('badges a signed-in moderator\'s staff post 编辑, and 作者 on the article whose author account they are', async () => {
    const mod = await signedIn(s, 'zhang');
    const watcher = await connectSocket(s);
    await emitAck(watcher, 'join', { article: TEST_SLUG });
    const seen = nextEvent(watcher, 'comment:created');
    const r = await mod.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '编辑部', body: '来自编辑', asStaff: true }).expect(201);
    expect(r.body.comment.staff).toBe('editor');
    expect((await seen).comment.staff).toBe('editor');
    expect((await mod.get(`/api/articles/${TEST_SLUG}/staff`).expect(200)).body).toEqual({ badge: 'editor' });

    const own = await s.store.articles.insert({ slug: 'own', title: '自己的文章', body: '正文', createdAt: s.clock.now, authorAccount: 'Zhang' });
    const mine = await mod.post(`/api/articles/${own.slug}/comments`, { authorName: '张三', body: '作者来答', asStaff: true }).expect(201);
    expect(mine.body.comment.staff).toBe('author');
    // Everyone sees the badge, in the shared page and in the API.
    const html = (await reader(s).get(`/articles/${own.slug}`).expect(200)).text;
    expect(html).toContain('<span class="badge badge-staff badge-author">作者</span>');
    const page = (await reader(s).get(`/api/articles/${own.slug}/comments`).expect(200)).body;
    expect(page.comments[0].staff).toBe('author');
  });

  it('publishes a staff post at once on a pre-moderated article, where an ordinary post is held', async () => {
    const mod = await signedIn(s, 'pre-mod');
    await mod.patch(`/api/admin/articles/${TEST_SLUG}`, { moderationMode: 'pre' }).expect(200);
    const staff = await mod.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '编辑部', body: '置顶说明', asStaff: true }).expect(201);
    expect(staff.body.comment.status).toBe('published');
    const plain = await postComment(reader(s), TEST_SLUG, { body: '普通读者' });
    expect(plain.body.comment.status).toBe('pending');
  });

  it('posts a moderator\'s comment without asStaff as an ordinary one', async () => {
    const mod = await signedIn(s, 'plain-mod');
    const r = await mod.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '路过', body: '普通评论' }).expect(201);
    expect(r.body.comment.staff).toBeUndefined();
  });

  it('refuses a reader who asks for a badge, over HTTP and over the socket, and stores nothing', async () => {
    const r = reader(s);
    const res = await r.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '冒充者', body: '我是编辑', asStaff: true });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'staff_signin_required', message: '以编辑身份发表需要先登录管理后台。' });
    expect((await r.get(`/api/articles/${TEST_SLUG}/staff`).expect(200)).body).toEqual({ badge: null });
    const forged = await r.post(`/api/articles/${TEST_SLUG}/comments`, { authorName: '冒充者', body: '我是编辑', staff: 'editor' });
    expect(forged.status).toBe(400);

    const posted = await postComment(r, TEST_SLUG, { body: '先发一条拿到身份' });
    const sock = await connectSocket(s, { cookie: r.cookie() });
    await emitAck(sock, 'join', { article: TEST_SLUG });
    const ack = await emitAck(sock, 'comment:post', { authorName: '冒充者', body: '我是编辑', asStaff: true });
    expect(ack.error?.code).toBe('staff_signin_required');
    const all = (await r.get(`/api/articles/${TEST_SLUG}/comments`).expect(200)).body.comments;
    expect(all.map((c: { id: number }) => c.id)).toEqual([posted.body.comment.id]);
  });
});
