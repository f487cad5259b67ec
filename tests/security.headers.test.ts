// Security headers and escaping, attacked: every page carries the strict CSP and friends, holds no inline
// script or style, and every place user text reaches (title, meta, thread, data block, form, error page) is escaped.
import request from 'supertest';
import { normalizeBody } from '../server/comments/comments.schema';
import { compileCommentTemplate, NEST_LIMIT } from '../server/comments/comments.html';
import { strings } from '../server/i18n/strings';
import { timeFormat } from '../server/i18n/time';
import { postComment, reader, startServer, type TestServer } from './helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => s.close());

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

function expectHardened(res: request.Response) {
  const csp = res.headers['content-security-policy'];
  expect(csp).toBeDefined();
  const d = directives(csp);
  expect(d.get('script-src')).toEqual(["'self'"]);
  expect(d.get('style-src')).toEqual(["'self'"]);
  expect(d.get('default-src')).toEqual(["'self'"]);
  expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  expect(d.get('object-src')).toEqual(["'none'"]);
  expect(d.get('base-uri')).toEqual(["'none'"]);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

/** Inline code the CSP would block (or that an injection slipped in): none may exist in our own markup. */
function expectNoInlineCode(html: string) {
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    expect(/\bsrc="[^"]+"/.test(tag) || /\btype="application\/json"/.test(tag)).toBe(true);
  }
  expect(html).not.toMatch(/<style\b/i);
  // User text is escaped, so every raw "<" opens one of our own tags; look at their attribute names only.
  for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) {
    const names = tag.replace(/"[^"]*"|'[^']*'/g, '""');
    expect(names).not.toMatch(/\s(on[a-z]+|style|srcdoc)\s*=/i);
  }
  expect(html).not.toMatch(/\b(href|src|action|formaction)\s*=\s*"\s*(javascript|data|vbscript):/i);
}

describe('security headers', () => {
  it.each([
    ['the article page', '/articles/test-article', 200],
    ['the home page', '/', 200],
    ['the 404 page', '/no-such-page', 404],
    ['a JSON API response', '/api/articles', 200],
    ['a JSON API error', '/api/nothing-here', 404],
    ['the moderator login page', '/admin/login', 200],
  ])('sends the strict CSP, nosniff, referrer policy and no framing on %s', async (_label, path, status) => {
    const res = await request(s.url).get(path);
    expect(res.status).toBe(status);
    expectHardened(res);
  });

  it.each(['/articles/test-article', '/no-such-page', '/admin/login'])('has no inline script, style or event handler in %s', async (path) => {
    const res = await request(s.url).get(path);
    expectNoInlineCode(res.text);
  });

  it('serves scripts with a JavaScript type and nosniff, so they cannot be swapped for another type', async () => {
    const page = await request(s.url).get('/articles/test-article');
    const srcs = [...page.text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    expect(srcs.length).toBeGreaterThan(0);
    for (const src of srcs) {
      const res = await request(s.url).get(src);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('user text reaching pages', () => {
  const TITLE = '</title><script>window.__xss=1</script>"\'&';
  const NAME = '"><img src=x onerror=alert(1)>';
  const BODY = '</script><script>window.__xss=1</script><!--<script>\u2028\u2029 <a href="javascript:alert(1)">x</a>';
  let slug: string;
  let id: number;
  let author: ReturnType<typeof reader>;

  beforeAll(async () => {
    const a = await s.store.articles.insert({ slug: 'xss-article', title: TITLE, body: `"><svg onload=alert(1)> 首段\n第二段 <b>`, createdAt: Date.now() });
    slug = a.slug;
    author = reader(s);
    const res = await postComment(author, slug, { authorName: NAME, body: BODY });
    expect(res.status).toBe(201);
    id = res.body.comment.id;
  });

  it('escapes the article title in <title> and <h1>, and the first paragraph in the meta description', async () => {
    const res = await request(s.url).get(`/articles/${slug}`);
    expect(res.text).toContain('<title>&lt;/title&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;&#34;&#39;&amp; · ');
    expect(res.text).toContain('content="&#34;&gt;&lt;svg onload=alert(1)&gt; 首段"');
    expect(res.text).not.toMatch(/<script>window|<svg|<img|<b>/);
    expectNoInlineCode(res.text);
  });

  it('escapes names and bodies in the server-rendered thread', async () => {
    const res = await request(s.url).get(`/articles/${slug}`);
    const li = new RegExp(`<li class="comment[^"]*" id="c-${id}"[\\s\\S]*?</li>`).exec(res.text)![0];
    expect(li).toContain('<bdi>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</bdi>');
    expect(li).toContain('&lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;!--');
    expect(li).not.toMatch(/<a href="javascript/);
  });

  it('keeps the JSON data block closed: no </script or <!-- inside, and it parses back to the API data', async () => {
    // The block carries a body only for the reader's own comments (articles.page.ts), so read it as the author.
    const res = await author.get(`/articles/${slug}`);
    const m = /<script type="application\/json" id="yl-data">([\s\S]*?)<\/script>/.exec(res.text)!;
    expect(m[1]).not.toMatch(/<\/script|<!--|<script/i);
    expect(m[1]).not.toMatch(/[\u2028\u2029]/);
    const data = JSON.parse(m[1]);
    const c = data.comments.find((x: { id: number }) => x.id === id);
    expect(c.authorName).toBe(NAME);
    expect(c.body).toBe(normalizeBody(BODY));
    expect(c.body).toContain('\u2028');
    const api = await reader(s).get(`/api/articles/${slug}/comments`);
    expect(api.body.comments.find((x: { id: number }) => x.id === id).body).toBe(c.body);
  });

  it('escapes what the reader typed when the no-JS form re-renders with an error', async () => {
    const typedName = '"><script>window.__xss=1</script>'.padEnd(60, 'x');
    const typedBody = '</textarea><script>window.__xss=1</script>';
    const r = reader(s);
    const posted = await r.agent.post(`/articles/${slug}/comments`).set('Origin', s.origin).type('form').send({ authorName: typedName, body: typedBody });
    expect(posted.status).toBe(303);
    const res = await r.get(String(posted.headers.location).replace(/#.*$/, ''));
    expect(res.status).toBe(422);
    expect(res.text).toContain(`value="&#34;&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;${'x'.repeat(27)}"`);
    expect(res.text).toContain('>&lt;/textarea&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;</textarea>');
    expectNoInlineCode(res.text);
  });

  it('shows a reply target name exactly, escaped, even when it looks like a replacement pattern', async () => {
    const name = `$' $\` $& <i>"`;
    const parent = (await postComment(reader(s), slug, { authorName: name, body: '被回复的评论' })).body.comment.id;
    const res = await request(s.url).get(`/articles/${slug}?reply=${parent}`);
    expect(res.text).toContain(`<legend>回复 $&#39; $\` $&amp; &lt;i&gt;&#34;</legend>`);
  });

  it('shows "@name" of a reply past the nesting limit exactly, even when it looks like a replacement pattern', async () => {
    const name = `$' $\` $& <i>`;
    const r = reader(s);
    let parent = (await postComment(r, slug, { authorName: name, body: '第 0 层' })).body.comment.id;
    for (let depth = 1; depth <= 4; depth++) parent = (await postComment(r, slug, { authorName: name, body: `第 ${depth} 层`, parentId: parent })).body.comment.id;
    const root = (await request(s.url).get(`/api/articles/${slug}/comments?sort=newest&limit=1`)).body.comments[0];
    const replies = (await request(s.url).get(`/api/comments/${root.id}/replies`)).body.replies;
    const deep = replies.find((c: { depth: number }) => c.depth === 4);
    const html = compileCommentTemplate()({ c: deep, t: strings(), nest: NEST_LIMIT, tz: 480, now: Date.now(), time: timeFormat('Asia/Shanghai', strings()), more: 0, childrenHtml: '' });
    expect(html).toContain(`<span class="comment-replyto">@$&#39; $\` $&amp; &lt;i&gt;</span>`);
  });

  it('escapes article titles on the error page and never reflects the requested path', async () => {
    const res = await request(s.url).get('/articles/%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('<script>window');
    expect(res.text).not.toContain('window.__xss=1</');
    expect(res.text).toContain('&lt;/title&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;');
    expectNoInlineCode(res.text);
  });
});
