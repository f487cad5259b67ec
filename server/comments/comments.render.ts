// Owns turning a comment body into safe HTML, once, at write time: everything is escaped, then a
// small Markdown subset (quotes, **strong**, *em*, `code`) and http(s) autolinks are added as our own tags.
// The compose box's preview runs the very same renderer in the browser (served as js/body-render.js).
import { parseHttpUrl } from '../http/url';
import { normalizeBody } from './comments.schema';

/**
 * The renderer as one self-contained function of the URL parser it is given: the server calls it, and its
 * source is served to the browser as it is, so a preview is exactly what will be stored. No imports and no
 * helpers from outside its body.
 */
export function bodyRenderer(parseUrl: (raw: string) => URL | null) {
  const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

  function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
  }

  // ASCII URL characters only: Chinese punctuation right after a link (，。） ends it. One greedy class, no
  // nested quantifier: linear. Every other scan of user text below is a hand loop, linear by construction
  // (tests/security.redos.test.ts): a regex like /[.,]+$/ retries at every start of a run and goes quadratic.
  const URL_RE = /\bhttps?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
  const TRAILING = new Set([...'.,;:!?\'"*']);

  /** Drops trailing punctuation, and a closing parenthesis with no opening one inside: "(see https://x.y/a)". */
  function trimUrl(raw: string): string {
    let opens = 0;
    let closes = 0;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === '(') opens++;
      else if (raw[i] === ')') closes++;
    }
    let end = raw.length;
    for (;;) {
      while (end > 0 && TRAILING.has(raw[end - 1])) end--;
      if (end === 0 || raw[end - 1] !== ')' || opens >= closes) break;
      end--;
      closes--;
    }
    return raw.slice(0, end);
  }

  /**
   * Where the browser will go, and what the reader is shown: credentials are dropped from the link, and
   * when the host as typed is not the host the browser resolves (user@evil@good, 0x7f.1, 2130706433, a
   * default port, percent-escapes) the link text is the parsed URL, so a reader sees the real host.
   */
  function linkTarget(typed: string): { href: string; text: string } | null {
    const u = parseUrl(typed);
    if (!u || !u.host) return null;
    const hadUserinfo = u.username !== '' || u.password !== '';
    u.username = '';
    u.password = '';
    const rest = typed.slice(typed.indexOf('//') + 2);
    let stop = 0;
    while (stop < rest.length && rest[stop] !== '/' && rest[stop] !== '?' && rest[stop] !== '#') stop++;
    const sameHost = !hadUserinfo && rest.slice(0, stop).toLowerCase() === u.host;
    return { href: u.href, text: sameHost ? typed : u.href };
  }

  function emphasis(escaped: string): string {
    return escaped
      .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, '$1<em>$2</em>');
  }

  /** Text outside code spans: autolinks, then emphasis on the escaped text between links. */
  function inlineText(text: string): string {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(URL_RE)) {
      const url = trimUrl(m[0]);
      const link = linkTarget(url);
      if (!link) continue;
      out += emphasis(escapeHtml(text.slice(last, m.index)));
      // dir="ltr" isolates the link (HTML: [dir] is unicode-bidi: isolate): bidi controls typed around it
      // cannot reorder or mirror what it shows.
      out += `<a href="${escapeHtml(link.href)}" rel="nofollow ugc noopener" target="_blank" dir="ltr">${escapeHtml(link.text)}</a>`;
      last = m.index! + url.length;
    }
    return out + emphasis(escapeHtml(text.slice(last)));
  }

  function inline(line: string): string {
    const parts = line.split(/(`[^`\n]+`)/);
    return parts
      .map((p, i) => (i % 2 === 1 ? `<code>${escapeHtml(p.slice(1, -1))}</code>` : inlineText(p)))
      .join('');
  }

  function paragraph(lines: string[]): string {
    return `<p>${lines.map(inline).join('<br>')}</p>`;
  }

  /** Renders a normalized body (\n line ends) to HTML made only of p, br, blockquote, strong, em, code and a. */
  function renderBody(body: string, quoteDepth = 0): string {
    const blocks: string[] = [];
    let para: string[] = [];
    let quote: string[] = [];
    const flushPara = () => {
      if (para.length) blocks.push(paragraph(para));
      para = [];
    };
    const flushQuote = () => {
      if (quote.length) blocks.push(`<blockquote>${renderBody(quote.join('\n'), quoteDepth + 1)}</blockquote>`);
      quote = [];
    };
    for (const line of body.split('\n')) {
      // Quotes nest three deep at most: a body of 5,000 '>' must not recurse 5,000 times.
      const q = quoteDepth < 3 ? /^\s{0,3}(?:>|＞) ?(.*)$/.exec(line) : null;
      if (q) {
        flushPara();
        quote.push(q[1]);
      } else if (line.trim() === '') {
        flushPara();
        flushQuote();
      } else {
        flushQuote();
        para.push(line);
      }
    }
    flushPara();
    flushQuote();
    return blocks.join('');
  }

  return { escapeHtml, trimUrl, linkTarget, renderBody, URL_RE };
}

const renderer = bodyRenderer(parseHttpUrl);
export const { escapeHtml, trimUrl, linkTarget, renderBody } = renderer;
const URL_RE = renderer.URL_RE;

/** The renderer and the body normalization as an ES module for the compose box's preview. */
export function bodyRenderScript(): string {
  return [
    '// Generated from server/comments/comments.render.ts at server start.',
    `const parseHttpUrl = ${parseHttpUrl.toString()};`,
    `const bodyRenderer = ${bodyRenderer.toString()};`,
    `export const normalizeBody = ${normalizeBody.toString()};`,
    'export const renderBody = bodyRenderer(parseHttpUrl).renderBody;',
    '',
  ].join('\n');
}

const BARE_TLDS = new Set(['com', 'net', 'org', 'io', 'cn', 'co', 'me', 'info', 'xyz', 'top', 'cc', 'ru', 'site', 'shop', 'link']);
const isLabelChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;

/**
 * Bare domains ("example.com/x", "www.a.b.cn"): one per chain of dot-separated labels whose second or later
 * label is a listed TLD (optionally followed by "-"), as the old regex counted them. A single pass: a regex
 * for this ("a.a.a.a…" retried from every label) is quadratic.
 */
function countBareDomains(text: string): number {
  let n = 0;
  let i = 0;
  while (i < text.length) {
    if (!isLabelChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let labels = 0;
    let found = false;
    for (;;) {
      const start = i;
      while (i < text.length && isLabelChar(text.charCodeAt(i))) i++;
      const label = text.slice(start, i).toLowerCase();
      const dash = label.indexOf('-');
      if (labels > 0 && BARE_TLDS.has(dash < 0 ? label : label.slice(0, dash))) found = true;
      labels++;
      if (text[i] === '.' && i + 1 < text.length && isLabelChar(text.charCodeAt(i + 1))) i++;
      else break;
    }
    if (found) n++;
  }
  return n;
}

/**
 * Counts links the way a reader sees them (the links rule): every http(s) URL that parses, linked or not
 * (credentials in it still make it a link to a reader), and bare domains.
 */
export function countLinks(body: string): number {
  let n = 0;
  let rest = '';
  let last = 0;
  for (const m of body.matchAll(URL_RE)) {
    if (parseHttpUrl(trimUrl(m[0]))) n++;
    rest += body.slice(last, m.index) + ' ';
    last = m.index! + m[0].length;
  }
  return n + countBareDomains(rest + body.slice(last));
}
