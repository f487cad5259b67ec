// Safe rendering of what readers type: escaping in the html field and the server-rendered page,
// the small Markdown subset, and autolinks that are only ever http(s) with rel="nofollow ugc noopener".
import { renderBody } from '../server/comments/comments.render';
import { compileCommentTemplate, renderThread } from '../server/comments/comments.html';
import type { CommentJson } from '../server/comments/comments.view';
import { strings } from '../server/i18n/strings';
import { timeFormat } from '../server/i18n/time';
import { postComment, reader, useTestServer, TEST_SLUG, type Reader } from './helpers/server';

const ATTACK_NAME = '"><img src=x onerror=alert(1)>';
const ATTACK_BODY = '<script>alert("x")</script> 和 "><img src=x onerror=alert(1)> 以及 \'><svg onload=alert(2)>';

describe('renderBody', () => {
  it.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    [ATTACK_NAME, '<p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>'],
    ['a & b < c', '<p>a &amp; b &lt; c</p>'],
    ['**粗** 和 *斜* 和 `<b>代码</b>`', '<p><strong>粗</strong> 和 <em>斜</em> 和 <code>&lt;b&gt;代码&lt;/b&gt;</code></p>'],
    ['> 引用的话\n正文', '<blockquote><p>引用的话</p></blockquote><p>正文</p>'],
    ['第一段\n\n第二段\n第二行', '<p>第一段</p><p>第二段<br>第二行</p>'],
  ])('renders %j safely', (body, html) => {
    expect(renderBody(body)).toBe(html);
  });

  it('links http(s) URLs with rel="nofollow ugc noopener" and escapes the query string', () => {
    expect(renderBody('见 https://example.com/a?b=1&c=2')).toBe(
      '<p>见 <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener" target="_blank" dir="ltr">https://example.com/a?b=1&amp;c=2</a></p>',
    );
  });

  it('ends a link at Chinese punctuation and at an unmatched closing parenthesis', () => {
    expect(renderBody('看https://example.com/x，很好')).toContain('href="https://example.com/x"');
    expect(renderBody('(见 https://example.com/y)')).toContain('href="https://example.com/y"');
  });

  it('never makes a link of a javascript:, data: or vbscript: URL, however it is dressed', () => {
    const bodies = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      '[点我](javascript:alert(1))',
      '<a href="javascript:alert(1)">点我</a>',
      'java\u0000script:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'https://javascript:alert(1)@',
    ];
    for (const body of bodies) {
      const html = renderBody(body);
      expect(html).not.toMatch(/<a\s/);
      expect(html).not.toMatch(/href="/);
    }
  });

  it('keeps a quote-breaking URL inside its attribute', () => {
    const html = renderBody('https://example.com/"onmouseover=alert(1)');
    expect(html).toContain('<a href="https://example.com/" rel="nofollow ugc noopener" target="_blank" dir="ltr">');
    expect(html).not.toMatch(/"onmouseover/);
    expect(html).toContain('&quot;onmouseover=alert(1)');
  });

  it('renders only its own small set of tags', () => {
    const html = renderBody(`${ATTACK_BODY}\n> **x** https://example.com\n\`y\``);
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1].toLowerCase()));
    for (const t of tags) expect(['p', 'br', 'blockquote', 'strong', 'em', 'code', 'a']).toContain(t);
  });
});

describe('the comment template', () => {
  const base = { parentId: null, rootId: null, depth: 0, replyToName: null, editedAt: null, likes: 0, replyCount: 0, status: 'published', pinned: false, mine: false, liked: false, editableUntil: null, featured: false, reactions: {} } as const;
  const comment = (over: Partial<CommentJson>): CommentJson => ({ ...base, id: 1, authorName: '甲', body: '', html: '<p>x</p>', createdAt: '2025-05-03T00:00:00.000Z', ...over });

  it('escapes the "@name" of a reply nested past the indent limit', () => {
    const names = ['一', '二', '三', ATTACK_NAME];
    const replies = [1, 2, 3, 4].map((depth) =>
      comment({ id: depth + 1, parentId: depth, rootId: 1, depth, authorName: `层${depth}`, replyToName: depth === 4 ? ATTACK_NAME : names[depth - 1] }),
    );
    const html = renderThread(compileCommentTemplate(), [comment({ replyCount: 4, replies })], { t: strings(), tz: 480, now: Date.now(), time: timeFormat('Asia/Shanghai', strings()) });
    expect(html).toContain('<span class="comment-replyto">@&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</span>');
    expect(html).not.toMatch(/<img src=x/);
    expect(html.match(/class="comment-replyto"/g)).toHaveLength(1);
  });
});

describe('escaping through the API and the page', () => {
  const s = useTestServer();
  const slug = TEST_SLUG;
  let r: Reader;
  beforeEach(() => {
    r = reader(s);
  });

  const pageHtml = async () => (await reader(s).get(`/articles/${slug}`).expect(200)).text;

  it('escapes script tags and attribute-breaking strings in the html field', async () => {
    const res = await postComment(r, slug, { authorName: ATTACK_NAME, body: ATTACK_BODY });
    expect(res.status).toBe(201);
    const c = res.body.comment;
    expect(c.authorName).toBe(ATTACK_NAME);
    expect(c.body).toBe(ATTACK_BODY);
    expect(c.html).not.toMatch(/<script|<img|<svg/i);
    expect(c.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(c.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(c.html).toContain('&#39;&gt;&lt;svg onload=alert(2)&gt;');
  });

  it('escapes the name and body in the server-rendered page, including the page data script', async () => {
    const id = (await postComment(r, slug, { authorName: ATTACK_NAME, body: `${ATTACK_BODY}</script><script>alert(3)</script>` })).body.comment.id;
    // As the author: the page's data block carries the body only for the reader's own comments.
    const html = (await r.get(`/articles/${slug}`).expect(200)).text;
    expect(html).not.toMatch(/<img src=x|<svg onload|<script>alert/i);
    const item = new RegExp(`<li class="comment[^"]*" id="c-${id}"[\\s\\S]*?</li>`).exec(html)![0];
    expect(item).toContain('<bdi>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</bdi>');
    expect(item).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // Exactly the page's own script elements, none smuggled in by the comment.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    const data = /<script type="application\/json" id="yl-data">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(data).not.toMatch(/[<>]/);
    const parsed = JSON.parse(data) as { comments: { id: number; authorName: string; body: string }[] };
    expect(parsed.comments[0]).toMatchObject({ id, authorName: ATTACK_NAME, body: `${ATTACK_BODY}</script><script>alert(3)</script>` });
  });

  it('links URLs in a published comment with rel="nofollow ugc noopener" on the page, never javascript:', async () => {
    await postComment(r, slug, { body: '先说一句没有链接的话' });
    const res = await postComment(r, slug, { body: '参考 https://example.com/report?a=1&b=2 别点 javascript:alert(1)' });
    expect(res.body.comment.status).toBe('published');
    const html = await pageHtml();
    const links = [...html.matchAll(/<a href="([^"]*)" rel="([^"]*)" target="_blank" dir="ltr">/g)];
    expect(links.map((m) => [m[1], m[2]])).toEqual([['https://example.com/report?a=1&amp;b=2', 'nofollow ugc noopener']]);
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it('escapes an attribute-breaking name in the reply form legend of the no-JavaScript page', async () => {
    const parentId = (await postComment(reader(s), slug, { authorName: ATTACK_NAME, body: '回复我' })).body.comment.id;
    const form = await reader(s).get(`/articles/${slug}?reply=${parentId}`).expect(200);
    expect(form.text).toContain('<legend>回复 &#34;&gt;&lt;img src=x onerror=alert(1)&gt;</legend>');
    expect(form.text).not.toMatch(/<img src=x/);
  });
});
