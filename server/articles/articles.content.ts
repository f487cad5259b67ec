// Owns reading article content files: optional front matter (byline, date, the author's console account)
// between "---" lines, then the title on the first line, one paragraph per line after it, "> " lines and
// whole-paragraph quotations as block quotes; a trailing 评论列表 marks the thread.
import fs from 'node:fs';
import path from 'node:path';

export interface ParsedArticle {
  title: string;
  body: string;
  byline?: string;
  publishedAt?: number;
  authorAccount?: string;
}

/**
 * Front matter, all keys optional:
 *   ---
 *   author: 张三                 the byline
 *   date: 2025-05-03            a calendar date, or an ISO time with its offset (2025-05-03T09:30+08:00)
 *   author_account: zhangsan    the console account whose staff posts read 作者 (others read 编辑)
 *   ---
 */
function parseFrontMatter(lines: string[]): Omit<ParsedArticle, 'title' | 'body'> {
  const out: Omit<ParsedArticle, 'title' | 'body'> = {};
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z_]+)\s*[:：]\s*(.*)$/.exec(line);
    if (!m) throw new Error(`front matter line "${line.slice(0, 60)}" is not "key: value"`);
    const [, key, value] = m;
    if (value === '') continue;
    if (key === 'author') out.byline = value.slice(0, 100);
    else if (key === 'author_account') out.authorAccount = value.slice(0, 64);
    else if (key === 'date') out.publishedAt = parseDate(value);
    else throw new Error(`front matter key "${key}" is not one of author, date, author_account`);
  }
  return out;
}

function parseDate(value: string): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  // A calendar date is kept as its noon UTC: it reads as that same date in every zone within ±11 hours.
  const ms = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12) : /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`front matter date "${value.slice(0, 40)}" is not YYYY-MM-DD or an ISO time with its offset`);
  return ms;
}

export interface Block {
  kind: 'p' | 'quote';
  text: string;
}

const THREAD_MARKERS = new Set(['评论列表', '评论', 'comments']);

export function parseArticleText(text: string): ParsedArticle {
  let lines = text.replace(/^\uFEFF/, '').normalize('NFC').replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim());
  let meta: Omit<ParsedArticle, 'title' | 'body'> = {};
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end < 0) throw new Error('the front matter has no closing "---" line');
    meta = parseFrontMatter(lines.slice(1, end));
    lines = lines.slice(end + 1);
  }
  const firstIdx = lines.findIndex((l) => l !== '');
  if (firstIdx < 0) throw new Error('the article file is empty');
  const title = lines[firstIdx].replace(/^#+\s*/, '');
  const rest = lines.slice(firstIdx + 1).filter((l) => l !== '');
  while (rest.length && THREAD_MARKERS.has(rest[rest.length - 1].replace(/^#+\s*/, '').toLowerCase())) rest.pop();
  if (!title) throw new Error('the article has no title');
  if (rest.length === 0) throw new Error('the article has no paragraphs');
  return { title, body: rest.join('\n'), ...meta };
}

/** A paragraph that is one whole quotation (“…”), or a "> " line, reads as a block quote. */
export function toBlocks(body: string): Block[] {
  return body.split('\n').map((line) => {
    if (/^>\s?/.test(line)) return { kind: 'quote', text: line.replace(/^>\s?/, '') };
    if (/^[“「"][\s\S]*[”」"]$/.test(line) && line.length > 40) return { kind: 'quote', text: line };
    return { kind: 'p', text: line };
  });
}

/** Slug from a file name: "nvidia-anthropic.zh.txt" -> "nvidia-anthropic". */
export function slugFromFile(file: string): string {
  return path.basename(file).replace(/(\.[a-z]{2}(-[a-z]{2,4})?)?\.(txt|md)$/i, '').toLowerCase();
}

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;

export function listContentFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(txt|md)$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
