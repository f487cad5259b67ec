// Text that looks like something it is not: invisible and bidi characters in names, and links whose
// text would show another host than the one the browser goes to.
import { normalizeName } from '../server/comments/comments.schema';
import { linkTarget, renderBody } from '../server/comments/comments.render';
import { postComment, reader, useTestServer } from './helpers/server';

describe('names', () => {
  it.each([
    ['\u202Enimda', 'nimda'],
    ['ad\u200Bmin', 'admin'],
    ['ad\u200C\u200Dmin', 'admin'],
    ['\u2066admin\u2069', 'admin'],
    ['\u200Fadmin\u200E', 'admin'],
    ['\uFEFFadmin\u2060', 'admin'],
    ['\u202Aad\u202Bmin\u202C\u202D', 'admin'],
    ['adm\u00ADin', 'admin'],
    ['\u3164', ''],
    ['小 \u200B 明', '小 明'],
  ])('strips invisible format characters from %j', (raw, name) => {
    expect(normalizeName(raw)).toBe(name);
  });

  const s = useTestServer();

  it('stores and shows a bidi-spoofed name without its controls, and refuses one that is only invisible', async () => {
    const res = await postComment(reader(s), s.article.slug, { authorName: '\u202Enimda', body: '你好' });
    expect(res.status).toBe(201);
    expect(res.body.comment.authorName).toBe('nimda');
    const empty = await postComment(reader(s), s.article.slug, { authorName: '\u200B\u202E\u2066', body: '你好' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_input');
  });
});

describe('links', () => {
  it('isolates every link from the bidi controls around it', () => {
    const html = renderBody('\u202E看 https://example.com/x 这里');
    expect(html).toContain('<a href="https://example.com/x" rel="nofollow ugc noopener" target="_blank" dir="ltr">https://example.com/x</a>');
  });

  it('shows the host the browser goes to, never one hidden behind credentials or odd number forms', () => {
    expect(linkTarget('http://user@evil.example@good.example/')).toEqual({ href: 'http://good.example/', text: 'http://good.example/' });
    expect(linkTarget('http://good.example:pw@evil.example/x')).toEqual({ href: 'http://evil.example/x', text: 'http://evil.example/x' });
    expect(linkTarget('http://0x7f.1/')).toEqual({ href: 'http://127.0.0.1/', text: 'http://127.0.0.1/' });
    expect(linkTarget('http://2130706433/')).toEqual({ href: 'http://127.0.0.1/', text: 'http://127.0.0.1/' });
    expect(linkTarget('http://%65vil.example/')).toEqual({ href: 'http://evil.example/', text: 'http://evil.example/' });
    expect(linkTarget('https://a.example:443/')).toEqual({ href: 'https://a.example/', text: 'https://a.example/' });
  });

  it('keeps the text as typed when it names the real host', () => {
    expect(linkTarget('https://Example.com/A?b=1')).toEqual({ href: 'https://example.com/A?b=1', text: 'https://Example.com/A?b=1' });
    expect(linkTarget('http://a.b')).toEqual({ href: 'http://a.b/', text: 'http://a.b' });
    expect(linkTarget('http://[::1]:8080/x')).toEqual({ href: 'http://[::1]:8080/x', text: 'http://[::1]:8080/x' });
  });

  it('renders the parsed URL as the link text, escaped, with rel="nofollow ugc noopener"', () => {
    const html = renderBody('点 http://user@evil.example@good.example/"x 看');
    expect(html).toBe(
      '<p>点 <a href="http://good.example/" rel="nofollow ugc noopener" target="_blank" dir="ltr">http://good.example/</a>&quot;x 看</p>',
    );
    expect(renderBody('http://2130706433/')).toContain('>http://127.0.0.1/</a>');
  });
});
