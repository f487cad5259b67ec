// Owns turning the HTML bodies of other comment systems into our plain text: a hand-written linear scan
// (no regex over the whole body) that keeps paragraphs, links as their URL, emphasis, code and quotes in our
// Markdown subset, decodes entities and drops every other tag. The result is still escaped by renderBody.
import { normalizeBody } from '../comments/comments.schema';

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', middot: '·', times: '×', laquo: '«', raquo: '»',
};

/** Decodes character references; an unknown or malformed one stays as written. */
export function decodeEntities(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp < 0) break;
    out += s.slice(i, amp);
    const semi = s.indexOf(';', amp);
    const name = semi > amp && semi - amp <= 10 ? s.slice(amp + 1, semi) : '';
    let ch: string | undefined;
    if (/^#\d{1,7}$/.test(name)) ch = codePoint(Number(name.slice(1)));
    else if (/^#[xX][0-9a-fA-F]{1,6}$/.test(name)) ch = codePoint(parseInt(name.slice(2), 16));
    else if (/^[a-zA-Z]+$/.test(name)) ch = NAMED[name];
    if (ch === undefined) {
      out += '&';
      i = amp + 1;
    } else {
      out += ch;
      i = semi + 1;
    }
  }
  return out + s.slice(i);
}

function codePoint(n: number): string | undefined {
  if (n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  return String.fromCodePoint(n);
}

const MARK: Record<string, string> = { b: '**', strong: '**', i: '*', em: '*', code: '`' };
const BLOCK = new Set(['p', 'div', 'li', 'ul', 'ol', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'table']);
const DROP_CONTENT = new Set(['script', 'style', 'template', 'iframe', 'object', 'noscript', 'svg', 'math']);
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

/** Plain text of an HTML fragment, normalized like a posted body (may be empty: the caller skips those). */
export function htmlToText(html: string): string {
  const stack: string[] = [''];
  const links: { href: string; start: number }[] = [];
  const emit = (t: string) => (stack[stack.length - 1] += t);
  let i = 0;
  // Where the next '>' is; -1 once there is none left, so that a run of '<' never rescans the tail.
  let gt = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      emit(decodeEntities(html.slice(i)));
      break;
    }
    emit(decodeEntities(html.slice(i, lt)));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (gt !== -1 && gt <= lt) gt = html.indexOf('>', lt);
    if (gt === -1) {
      emit(decodeEntities(html.slice(lt)));
      break;
    }
    const tag = html.slice(lt + 1, gt);
    i = gt + 1;
    const closing = tag.startsWith('/');
    let n = closing ? 1 : 0;
    while (n < tag.length && /[A-Za-z0-9]/.test(tag[n])) n++;
    const name = tag.slice(closing ? 1 : 0, n).toLowerCase();
    if (!name) {
      emit(decodeEntities(`<${tag}>`));
      continue;
    }
    if (!closing && DROP_CONTENT.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = i;
      const m = close.exec(html);
      i = m ? m.index + m[0].length : html.length;
      gt = 0;
      continue;
    }
    if (name === 'br') emit('\n');
    else if (BLOCK.has(name)) emit('\n\n');
    else if (MARK[name]) emit(MARK[name]);
    else if (name === 'blockquote') {
      if (!closing) stack.push('');
      else if (stack.length > 1) {
        const inner = normalizeBody(stack.pop()!);
        emit(`\n\n${inner.split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n')}\n\n`);
      }
    } else if (name === 'a') {
      if (!closing) {
        const m = HREF.exec(tag);
        links.push({ href: decodeEntities(m ? (m[1] ?? m[2] ?? m[3]) : '').trim(), start: stack[stack.length - 1].length });
      } else {
        const link = links.pop();
        if (link && /^https?:\/\//i.test(link.href)) {
          const top = stack[stack.length - 1];
          const text = top.slice(link.start).trim();
          const shown = !text || text === link.href ? link.href : `${text} ${link.href}`;
          stack[stack.length - 1] = top.slice(0, link.start) + shown;
        }
      }
    }
  }
  while (stack.length > 1) {
    const inner = stack.pop()!;
    emit(inner);
  }
  return collapseBlankLines(normalizeBody(stack[0]).split('\n').map((l) => l.trimEnd()).join('\n'));
}

/** At most one empty line in a row. */
function collapseBlankLines(s: string): string {
  return s.replace(/\n{3,}/g, '\n\n');
}
