// Owns turning a comment body into safe HTML, once, at write time: everything is escaped, then a
// small Markdown subset (quotes, **strong**, *em*, `code`) and http(s) autolinks are added as our own tags.
import { parseHttpUrl } from '../http/url';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

// ASCII URL characters only: Chinese punctuation right after a link (，。） ends it.
const URL_RE = /\bhttps?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
const TRAILING = /[.,;:!?'"*]+$/;

function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING, '');
  // Drop a closing parenthesis that has no opening one inside the URL: "(see https://x.y/a)".
  while (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) {
    url = url.slice(0, -1).replace(TRAILING, '');
  }
  return url;
}

const safeHref = (url: string): string | null => parseHttpUrl(url)?.href ?? null;

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
    const href = safeHref(url);
    if (!href) continue;
    out += emphasis(escapeHtml(text.slice(last, m.index)));
    out += `<a href="${escapeHtml(href)}" rel="nofollow ugc noopener" target="_blank">${escapeHtml(url)}</a>`;
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
export function renderBody(body: string, quoteDepth = 0): string {
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

/** Counts http(s) links the way renderBody sees them (the links rule). */
export function countLinks(body: string): number {
  let n = 0;
  for (const m of body.matchAll(URL_RE)) if (safeHref(trimUrl(m[0]))) n++;
  // Bare domains ("example.com/x") are links to a reader even when we do not linkify them.
  const bare = body.replace(URL_RE, ' ').match(/\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|cn|co|me|info|xyz|top|cc|ru|site|shop|link)\b/gi);
  return n + (bare?.length ?? 0);
}
