// The server-rendered article page and its no-JavaScript comment form: title, paragraphs, the 评论列表
// heading with its count, the first page of comments, reply prefill, form posts and the 404 page.
import { importContent } from '../server/articles/articles.service';
import { paths } from '../server/paths';
import { postComment, reader, useTestServer, TEST_SLUG, type Reader, type TestServer } from './helpers/server';

const count = (s: TestServer, table: string) => (s.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const headingCount = (html: string) => Number(/<h2 id="comments-heading">评论列表 <span[^>]*>（<span id="comment-count">(\d+)<\/span>）/.exec(html)?.[1]);
const formStamp = (html: string) => /<input type="hidden" name="ts" value="([^"]+)">/.exec(html)![1];

describe('the article page', () => {
  const s = useTestServer();

  it('renders the default article at / with its title, paragraphs, an empty 评论列表 and a working form', async () => {
    // The bundled article, imported as on first start, earlier than the harness's test article.
    const [article] = await importContent(s.store, paths.content(), s.clock.now - 86_400_000);
    expect(article.slug).toBe('nvidia-anthropic');
    const res = await reader(s).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.text;
    expect(html).toContain('<title>英伟达对他忍不住了 · 议论</title>');
    expect(html).toContain('<h1 class="article-title">英伟达对他忍不住了</h1>');
    expect(html).toContain('<html lang="zh-CN">');
    // The opening quotation reads as a block quote, the following paragraphs as paragraphs.
    expect(html).toMatch(/<blockquote class="article-quote"><p>“我们注意到,芯片走私尝试/);
    expect(html).toContain('<p>2025年5月3日,英伟达对美国人工智能初创公司Anthropic发出激烈批评。');
    expect(headingCount(html)).toBe(0);
    expect(html).toContain('还没有评论，来说第一句吧。');
    expect(html).toContain('action="/articles/nvidia-anthropic/comments"');
    expect(html).not.toContain('测试文章');
  });

  it('renders an article by slug with the heading count and its comments, newest first', async () => {
    const slug = s.article.slug;
    const a = reader(s);
    const first = (await postComment(a, slug, { authorName: '甲', body: '第一条' })).body.comment.id;
    const second = (await postComment(reader(s), slug, { authorName: '乙', body: '第二条' })).body.comment.id;
    await postComment(reader(s), slug, { body: '保密的链接 https://example.com/x' });
    const reply = (await postComment(reader(s), slug, { authorName: '丙', body: '楼中楼', parentId: first })).body.comment.id;

    const html = (await reader(s).get(`/articles/${slug}`).expect(200)).text;
    expect(html).toContain('<h1 class="article-title">测试文章</h1>');
    expect(headingCount(html)).toBe(3);
    const order = [...html.matchAll(/<li class="comment[^"]*" id="c-(\d+)"/g)].map((m) => Number(m[1]));
    expect(order).toEqual([second, first, reply]);
    expect(html).not.toContain('保密的链接');
    expect(html).toMatch(new RegExp(`id="c-${reply}" data-id="${reply}" data-depth="1" data-parent="${first}"`));
    // The author sees their own comment marked as theirs, with edit and delete.
    const own = (await a.get(`/articles/${slug}`).expect(200)).text;
    expect(own).toMatch(new RegExp(`<li class="comment is-mine" id="c-${first}"`));
    expect(own).toContain('data-act="edit"');
  });

  it('offers a load-more link with a cursor when there are more than 20 comments', async () => {
    const r = reader(s);
    for (let i = 0; i < 22; i++) await postComment(r, s.article.slug, { body: `评论 ${i}` });
    const html = (await reader(s).get(`/articles/${s.article.slug}?sort=oldest`).expect(200)).text;
    expect(html.match(/<li class="comment/g)).toHaveLength(20);
    const cursor = /id="load-more" href="\?sort=oldest&amp;cursor=([^"#]+)#comments"/.exec(html)![1];
    const next = (await reader(s).get(`/articles/${s.article.slug}?sort=oldest&cursor=${cursor}`).expect(200)).text;
    expect(next.match(/<li class="comment/g)).toHaveLength(2);
    expect(next).not.toContain('id="load-more"');
  });

  it('sets no cookie on a page view: the first post, like or report hands out the identity', async () => {
    const res = await reader(s).get(`/articles/${s.article.slug}`).expect(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(count(s, 'authors')).toBe(0);
  });

  it('answers an unknown article with a 404 page in the same layout, listing the articles', async () => {
    const res = await reader(s).get('/articles/no-such-thing').set('Accept', 'text/html').expect(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<title>页面不存在 · 议论</title>');
    expect(res.text).toContain('<h1>页面不存在</h1>');
    expect(res.text).toContain('<header class="site-header"><a class="site-name" href="/">议论</a></header>');
    expect(res.text).toContain('<a href="/articles/test-article">测试文章</a>');
  });

  it('lists articles with their comment counts at GET /api/articles', async () => {
    await importContent(s.store, paths.content(), s.clock.now - 1000);
    await postComment(reader(s), s.article.slug, { body: '算一条' });
    const { articles } = (await reader(s).get('/api/articles').expect(200)).body;
    expect(articles).toEqual(
      expect.arrayContaining([
        { slug: 'test-article', title: '测试文章', commentCount: 1 },
        { slug: 'nvidia-anthropic', title: '英伟达对他忍不住了', commentCount: 0 },
      ]),
    );
    expect(articles).toHaveLength(2);
  });
});

describe('the no-JavaScript comment form', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;

  async function submit(r: Reader, fields: Record<string, string>, query = '') {
    const page = await r.get(`/articles/${slug}${query}`).expect(200);
    return r.agent
      .post(`/articles/${slug}/comments`)
      .set('Origin', s.origin)
      .type('form')
      .send({ ts: formStamp(page.text), website: '', parentId: '', ...fields });
  }

  it('posts a comment and redirects 303 to it, where it is shown', async () => {
    const r = reader(s);
    const res = await submit(r, { authorName: '表单读者', body: '不用脚本也能发' });
    expect(res.status).toBe(303);
    const id = (s.db.prepare('SELECT id FROM comments').get() as { id: number }).id;
    expect(res.headers.location).toBe(`/articles/${slug}#c-${id}`);
    expect(s.db.prepare('SELECT author_name, body, status FROM comments WHERE id = ?').get(id)).toEqual({ author_name: '表单读者', body: '不用脚本也能发', status: 'published' });
    const html = (await r.get(`/articles/${slug}`).expect(200)).text;
    expect(html).toMatch(new RegExp(`<li class="comment is-mine" id="c-${id}"`));
    expect(headingCount(html)).toBe(1);
  });

  it('prefills a reply form from ?reply=ID and posts the reply into the thread', async () => {
    const parent = (await postComment(reader(s), slug, { authorName: '楼主', body: '说点什么' })).body.comment.id;
    const r = reader(s);
    const page = (await r.get(`/articles/${slug}?reply=${parent}`).expect(200)).text;
    expect(page).toContain('<legend>回复 楼主</legend>');
    expect(page).toContain(`<input type="hidden" name="parentId" value="${parent}">`);
    const res = await submit(r, { authorName: '回复者', body: '我来回复', parentId: String(parent) }, `?reply=${parent}`);
    expect(res.status).toBe(303);
    const row = s.db.prepare('SELECT id, parent_id AS parentId, depth, reply_to_name AS replyToName FROM comments WHERE body = ?').get('我来回复');
    expect(row).toMatchObject({ parentId: parent, depth: 1, replyToName: '楼主' });
  });

  it('ignores ?reply= for a comment that is not in this article', async () => {
    const html = (await reader(s).get(`/articles/${slug}?reply=999`).expect(200)).text;
    expect(html).toContain('<legend>发表评论</legend>');
    expect(html).toContain('<input type="hidden" name="parentId" value="">');
  });

  /** A refused form post redirects (post/redirect/get) to a page that shows the refusal: that page. */
  async function refusedPage(r: Reader, res: { status: number; headers: Record<string, string> }) {
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(new RegExp(`^/articles/${slug}\\?form=[\\w-]+#compose$`));
    return r.get(res.headers.location.replace(/#.*$/, ''));
  }

  it('redirects a refused post to a page with the message and the typed values, storing nothing', async () => {
    const r = reader(s);
    const empty = await refusedPage(r, await submit(r, { authorName: '<b>我的名字</b>', body: '   ' }));
    expect(empty.status).toBe(400);
    expect(empty.headers['content-type']).toMatch(/text\/html/);
    expect(empty.text).toMatch(/<p class="form-error" role="alert" id="form-error">评论内容 不能为空。<\/p>/);
    expect(empty.text).toContain('value="&lt;b&gt;我的名字&lt;/b&gt;"');
    expect(empty.text).toContain('<h1 class="article-title">测试文章</h1>');

    // 5,001 Chinese characters are 45 KB percent-encoded: the form must carry them to the length rule.
    const tooLong = await refusedPage(r, await submit(r, { authorName: '话痨', body: `<script>x</script>${'长'.repeat(5000)}` }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain('评论最多 5000 个字符。');
    expect(tooLong.text).toContain(`>&lt;script&gt;x&lt;/script&gt;${'长'.repeat(5000)}</textarea>`);
    expect(count(s, 'comments')).toBe(0);
    expect(count(s, 'authors')).toBe(0);
  });

  it('accepts a 5,000-character Chinese comment, 45 KB once percent-encoded', async () => {
    const res = await submit(reader(s), { authorName: '长文作者', body: '长'.repeat(5000) });
    expect(res.status).toBe(303);
    expect(s.db.prepare('SELECT length(body) AS n FROM comments').get()).toEqual({ n: 5000 });
  });

  it('holds a post whose honeypot field is filled, and says it awaits review', async () => {
    const res = await submit(reader(s), { authorName: '机器人', body: '买买买', website: 'http://spam.example' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(new RegExp(`^/articles/${slug}\\?posted=pending#c-\\d+$`));
    expect(s.db.prepare('SELECT status, held_reason AS heldReason FROM comments').get()).toEqual({ status: 'pending', heldReason: 'spam_suspected' });
    const notice = await reader(s).get(`/articles/${slug}?posted=pending`).expect(200);
    expect(notice.text).toContain('评论已提交，等待审核。');
  });

  it('holds a post without a valid page stamp', async () => {
    const r = reader(s);
    const res = await r.agent.post(`/articles/${slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: '甲', body: '没有时间戳', ts: '123.forged' });
    expect(res.status).toBe(303);
    expect(s.db.prepare('SELECT status FROM comments').get()).toEqual({ status: 'pending' });
  });

  it('answers a form post to an unknown article with the 404 page', async () => {
    const res = await reader(s).agent.post('/articles/nope/comments').set('Origin', s.origin).set('Accept', 'text/html').type('form').send({ authorName: '甲', body: '迷路' });
    expect(res.status).toBe(404);
    expect(res.text).toContain('<h1>页面不存在</h1>');
    expect(count(s, 'comments')).toBe(0);
  });
});
