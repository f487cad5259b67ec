// Posting and replying over HTTP: the stored shape, the author cookie, nesting and what other readers see.
import crypto from 'node:crypto';
import { postComment, reader, useTestServer, TEST_SLUG, type Reader, type TestServer } from './helpers/server';

const count = (s: TestServer, table: string) => (s.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('posting comments', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  const list = async (r: Reader, query = '') => (await r.get(`/api/articles/${slug}/comments${query}`).expect(200)).body;

  it('stores a top-level comment and answers 201 with its public shape', async () => {
    const res = await postComment(reader(s), slug, { authorName: '张三', body: '出口管制的效果值得讨论。' });
    expect(res.status).toBe(201);
    const c = res.body.comment;
    expect(c).toMatchObject({
      parentId: null,
      rootId: null,
      depth: 0,
      authorName: '张三',
      replyToName: null,
      body: '出口管制的效果值得讨论。',
      html: '<p>出口管制的效果值得讨论。</p>',
      editedAt: null,
      likes: 0,
      replyCount: 0,
      status: 'published',
      pinned: false,
      mine: true,
      liked: false,
    });
    expect(Date.parse(c.editableUntil) - Date.parse(c.createdAt)).toBe(15 * 60_000);
    expect(Date.parse(c.createdAt)).toBe(s.clock.now);
    const row = s.db.prepare('SELECT body, status, article_id FROM comments WHERE id = ?').get(c.id);
    expect(row).toEqual({ body: '出口管制的效果值得讨论。', status: 'published', article_id: s.article.id });
  });

  it('sets an httpOnly SameSite=Lax yl_author cookie on the first post and stores only its hash', async () => {
    const r = reader(s);
    const res = await postComment(r, slug, { body: '第一次发言' });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((h) => h.startsWith('yl_author='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const token = /^yl_author=([^;]+)/.exec(cookie)![1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const authors = s.db.prepare('SELECT token_hash FROM authors').all() as { token_hash: string }[];
    expect(authors).toEqual([{ token_hash: crypto.createHash('sha256').update(token).digest('base64url') }]);
    expect(JSON.stringify(s.db.prepare('SELECT * FROM authors').all())).not.toContain(token);

    const again = await postComment(r, slug, { body: '第二次发言' });
    expect(again.status).toBe(201);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(count(s, 'authors')).toBe(1);
  });

  it('shows the comment to another reader as not theirs and counts it on the article', async () => {
    const a = reader(s);
    const { body } = await postComment(a, slug, { body: '大家好' });
    const page = await list(reader(s));
    expect(page.commentCount).toBe(1);
    expect(page.comments).toHaveLength(1);
    expect(page.comments[0]).toMatchObject({ id: body.comment.id, body: '大家好', mine: false, liked: false, editableUntil: null, replies: [] });
    expect((await list(a)).comments[0].mine).toBe(true);
    const articles = (await reader(s).get('/api/articles').expect(200)).body.articles;
    expect(articles).toEqual([{ slug, title: '测试文章', commentCount: 1 }]);
  });

  it('normalizes the body: CRLF to LF, control characters dropped, outer white space trimmed', async () => {
    const res = await postComment(reader(s), slug, { authorName: '  李\t四  ', body: '  第一行\r\n第二行\u0007  ' });
    expect(res.status).toBe(201);
    expect(res.body.comment.body).toBe('第一行\n第二行');
    expect(res.body.comment.html).toBe('<p>第一行<br>第二行</p>');
    expect(res.body.comment.authorName).toBe('李 四');
  });

  it('answers 404 article_not_found for an unknown article and stores nothing', async () => {
    const res = await postComment(reader(s), 'no-such-article', { body: '迷路了' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('article_not_found');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(count(s, 'comments')).toBe(0);
    expect(count(s, 'authors')).toBe(0);
  });

  it('rejects the same body from the same author within 10 minutes with 422 duplicate_comment', async () => {
    const r = reader(s);
    expect((await postComment(r, slug, { body: '重复的话' })).status).toBe(201);
    const dup = await postComment(r, slug, { body: '  重复的话 ' });
    expect(dup.status).toBe(422);
    expect(dup.body.error.code).toBe('duplicate_comment');
    expect(count(s, 'comments')).toBe(1);
    // Another reader may say the same thing.
    expect((await postComment(reader(s), slug, { body: '重复的话' })).status).toBe(201);
    s.clock.advance(10 * 60_000 + 1);
    expect((await postComment(r, slug, { body: '重复的话' })).status).toBe(201);
  });

  it('holds a first-time author\'s link as pending, visible only to its author', async () => {
    const a = reader(s);
    const res = await postComment(a, slug, { body: '看这里 https://example.com/report' });
    expect(res.status).toBe(201);
    expect(res.body.comment.status).toBe('pending');
    expect((await list(a)).comments.map((c: { id: number }) => c.id)).toEqual([res.body.comment.id]);
    const other = await list(reader(s));
    expect(other.comments).toEqual([]);
    expect(other.commentCount).toBe(0);
  });
});

describe('replying', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  it('stores a reply with depth 1, its root and the name it replies to, and counts it on the parent', async () => {
    const root = (await postComment(reader(s), slug, { authorName: '甲', body: '楼主' })).body.comment;
    const res = await postComment(reader(s), slug, { authorName: '乙', body: '沙发', parentId: root.id });
    expect(res.status).toBe(201);
    expect(res.body.comment).toMatchObject({ parentId: root.id, rootId: root.id, depth: 1, replyToName: '甲' });
    const page = (await reader(s).get(`/api/articles/${slug}/comments`).expect(200)).body;
    expect(page.commentCount).toBe(2);
    expect(page.comments).toHaveLength(1);
    expect(page.comments[0]).toMatchObject({ id: root.id, replyCount: 1 });
    expect(page.comments[0].replies.map((c: { body: string }) => c.body)).toEqual(['沙发']);
  });

  it('stores replies deeper than three levels under the same root, each naming its parent\'s author', async () => {
    const names = ['一', '二', '三', '四', '五', '六'];
    const ids: number[] = [];
    for (const [i, name] of names.entries()) {
      const res = await postComment(reader(s), slug, { authorName: name, body: `第${i}层`, parentId: ids[i - 1] });
      expect(res.status).toBe(201);
      ids.push(res.body.comment.id);
    }
    const rows = s.db.prepare('SELECT id, parent_id AS parentId, root_id AS rootId, depth, reply_to_name AS replyToName, reply_count AS replyCount FROM comments ORDER BY id').all();
    expect(rows).toEqual(
      ids.map((id, i) => ({
        id,
        parentId: i === 0 ? null : ids[i - 1],
        rootId: i === 0 ? null : ids[0],
        depth: i,
        replyToName: i === 0 ? null : names[i - 1],
        replyCount: names.length - 1 - i,
      })),
    );
    const page = (await reader(s).get(`/api/articles/${slug}/comments`).expect(200)).body;
    expect(page.comments[0].replies.map((c: { id: number }) => c.id)).toEqual(ids.slice(1, 4));
    const thread = (await reader(s).get(`/api/comments/${ids[0]}/replies`).expect(200)).body;
    expect(thread.replies.map((c: { depth: number }) => c.depth)).toEqual([1, 2, 3, 4, 5]);
    expect(thread.nextCursor).toBeNull();
  });

  it('pages through a thread\'s replies by cursor and by after without repeats', async () => {
    const root = (await postComment(reader(s), slug, { body: '话题' })).body.comment;
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await postComment(reader(s), slug, { body: `回复 ${i}`, parentId: root.id })).body.comment.id);
    const seen: number[] = [];
    let cursor = '';
    do {
      const res = await reader(s).get(`/api/comments/${root.id}/replies?limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.replies.map((c: { id: number }) => c.id));
      cursor = res.body.nextCursor ?? '';
    } while (cursor);
    expect(seen).toEqual(ids);
    const after = await reader(s).get(`/api/comments/${root.id}/replies?after=${ids[4]}`).expect(200);
    expect(after.body.replies.map((c: { id: number }) => c.id)).toEqual(ids.slice(5));
  });

  it('answers 404 comment_not_found for the replies of a reply or an unknown comment', async () => {
    const root = (await postComment(reader(s), slug, { body: '根' })).body.comment;
    const reply = (await postComment(reader(s), slug, { body: '枝', parentId: root.id })).body.comment;
    for (const id of [reply.id, 9999]) {
      const res = await reader(s).get(`/api/comments/${id}/replies`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('comment_not_found');
    }
  });

  it('refuses an unknown parent and a parent from another article with 422 invalid_parent, storing nothing', async () => {
    const other = await s.store.articles.insert({ slug: 'other', title: '另一篇', body: '正文', createdAt: s.clock.now });
    const foreign = (await postComment(reader(s), other.slug, { body: '别处的评论' })).body.comment;
    const before = count(s, 'comments');
    for (const parentId of [foreign.id, 424242]) {
      const r = reader(s);
      const res = await postComment(r, slug, { body: '回复错了地方', parentId });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_parent');
      expect(res.body.error.details).toEqual([{ field: 'parentId', message: expect.any(String) }]);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(count(s, 'comments')).toBe(before);
    expect(count(s, 'authors')).toBe(1);
  });
});
