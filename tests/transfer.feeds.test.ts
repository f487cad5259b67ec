// Atom feeds: valid XML that saxes parses back, every user string escaped (markup stays text), characters XML
// cannot carry removed, linked from the article page, cacheable by ETag that moves with the article's seq.
import { SaxesParser } from 'saxes';
import request from 'supertest';
import { postComment, reader, useTestServer, TEST_SLUG } from './helpers/server';

interface Parsed {
  root: string;
  texts: Record<string, string[]>;
  entries: number;
}

/** Parses with saxes (throws on anything not well-formed) and collects the text of each element by path. */
function parseFeed(xml: string): Parsed {
  const p = new SaxesParser({ xmlns: true });
  const path: string[] = [];
  const texts: Record<string, string[]> = {};
  let root = '';
  let entries = 0;
  let error: Error | undefined;
  p.on('error', (e) => (error ??= e));
  p.on('opentag', (t) => {
    if (!path.length) root = `${t.uri} ${t.local}`;
    path.push(t.local);
    if (t.local === 'entry') entries++;
  });
  p.on('text', (t) => {
    const k = path.join('/');
    (texts[k] ??= []).push(t);
  });
  p.on('closetag', () => path.pop());
  p.write(xml).close();
  if (error) throw error;
  return { root, texts, entries };
}

describe('Atom feeds', () => {
  const s = useTestServer();

  it('lists published comments of an article, escaping names and bodies, and parses back', async () => {
    const r = reader(s);
    await postComment(r, TEST_SLUG, { authorName: '<script>alert("名")</script> & \'x\'', body: '正文 <b>不是标签</b> ]]> & **粗体**' });
    await postComment(r, TEST_SLUG, { body: '第二条' });
    const res = await request(s.url).get(`/articles/${TEST_SLUG}/comments.atom`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(res.text).not.toMatch(/<script|<b>/);
    const feed = parseFeed(res.text);
    expect(feed.root).toBe('http://www.w3.org/2005/Atom feed');
    expect(feed.entries).toBe(2);
    expect(feed.texts['feed/entry/author/name']).toEqual(['读者', '<script>alert("名")</script> & \'x\'']);
    const content = feed.texts['feed/entry/content'][1];
    expect(content).toContain('正文 &lt;b&gt;不是标签&lt;/b&gt; ]]&gt; &amp; <strong>粗体</strong>');
  });

  it('drops characters XML cannot carry (stored by an old import) instead of writing an invalid feed', async () => {
    const r = reader(s);
    await postComment(r, TEST_SLUG, { body: '干净' });
    s.db.prepare(`UPDATE comments SET author_name = ?, html = ?`).run('坏\u0001名\uFFFE', '<p>控制\u0008字符\uFFFF</p>');
    const res = await request(s.url).get('/comments.atom').expect(200);
    const feed = parseFeed(res.text);
    expect(feed.texts['feed/entry/author/name']).toEqual(['坏名']);
    expect(feed.texts['feed/entry/content']).toEqual(['<p>控制字符</p>']);
  });

  it('answers 304 to a matching ETag until the article changes', async () => {
    const r = reader(s);
    await postComment(r, TEST_SLUG, { body: '一' });
    const first = await request(s.url).get(`/articles/${TEST_SLUG}/comments.atom`).expect(200);
    const etag = first.headers.etag;
    expect(first.headers['cache-control']).toMatch(/public/);
    await request(s.url).get(`/articles/${TEST_SLUG}/comments.atom`).set('If-None-Match', etag).expect(304);
    const site = await request(s.url).get('/comments.atom').expect(200);
    await postComment(r, TEST_SLUG, { body: '二' });
    const after = await request(s.url).get(`/articles/${TEST_SLUG}/comments.atom`).set('If-None-Match', etag).expect(200);
    expect(after.headers.etag).not.toBe(etag);
    await request(s.url).get('/comments.atom').set('If-None-Match', site.headers.etag).expect(200);
  });

  it('is linked from the article page; an unknown article has no feed', async () => {
    const page = await reader(s).get(`/articles/${TEST_SLUG}`).expect(200);
    expect(page.text).toContain(`<link rel="alternate" type="application/atom+xml" title="`);
    expect(page.text).toContain(`href="/articles/${TEST_SLUG}/comments.atom"`);
    expect(page.text).toContain('href="/comments.atom"');
    await request(s.url).get('/articles/nope/comments.atom').expect(404);
  });
});
