// Owns reading article content files: title on the first line, one paragraph per line after it,
// "> " lines and whole-paragraph quotations as block quotes; a trailing 评论列表 marks the thread.
import fs from 'node:fs';
import path from 'node:path';

export interface ParsedArticle {
  title: string;
  body: string;
}

export interface Block {
  kind: 'p' | 'quote';
  text: string;
}

const THREAD_MARKERS = new Set(['评论列表', '评论', 'comments']);

export function parseArticleText(text: string): ParsedArticle {
  const lines = text.replace(/^\uFEFF/, '').normalize('NFC').replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim());
  const firstIdx = lines.findIndex((l) => l !== '');
  if (firstIdx < 0) throw new Error('the article file is empty');
  const title = lines[firstIdx].replace(/^#+\s*/, '');
  const rest = lines.slice(firstIdx + 1).filter((l) => l !== '');
  while (rest.length && THREAD_MARKERS.has(rest[rest.length - 1].replace(/^#+\s*/, '').toLowerCase())) rest.pop();
  if (!title) throw new Error('the article has no title');
  if (rest.length === 0) throw new Error('the article has no paragraphs');
  return { title, body: rest.join('\n') };
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
