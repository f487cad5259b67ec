// Owns server-side HTML for comment threads, from the same EJS partial the browser runs compiled in
// client mode, so the first render and every live render produce the same markup.
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import crypto from 'node:crypto';
import { paths } from '../paths';
import type { Strings } from '../i18n/strings';
import type { TimeFormat } from '../i18n/time';
import type { CommentJson } from './comments.view';

/** Replies indent this deep (楼中楼); deeper ones sit flat under their ancestor with "@名字". */
export const NEST_LIMIT = 3;

export interface CommentLocals {
  c: CommentJson;
  t: Strings;
  nest: number;
  tz: number;
  now: number;
  time: TimeFormat;
  more: number;
  childrenHtml: string;
}

const LOCALS = ['c', 't', 'nest', 'tz', 'now', 'time', 'more', 'childrenHtml'];

function templateSource(): string {
  return fs.readFileSync(path.join(paths.views(), 'partials', 'comment.ejs'), 'utf8');
}

export type CommentTemplate = (locals: CommentLocals) => string;

export function compileCommentTemplate(): CommentTemplate {
  return ejs.compile(templateSource(), { strict: true, _with: false, destructuredLocals: LOCALS }) as unknown as CommentTemplate;
}

/** The same template as a browser script (no eval at run time, so a strict CSP holds). */
export function clientTemplateScript(): { source: string; hash: string } {
  const fn = ejs.compile(templateSource(), { client: true, strict: true, _with: false, destructuredLocals: LOCALS, compileDebug: false });
  const source = `// Generated from views/partials/comment.ejs at server start.\nexport const renderCommentTemplate = ${fn.toString()};\n`;
  return { source, hash: crypto.createHash('sha256').update(source).digest('hex').slice(0, 12) };
}

/** Where a comment sits on the page: its parent's reply list, or, past NEST_LIMIT, its parent's own list. */
export function renderThread(
  render: CommentTemplate,
  roots: CommentJson[],
  base: { t: Strings; tz: number; now: number; time: TimeFormat },
): string {
  const one = (c: CommentJson, children: CommentJson[], more: number): string => {
    const byParent = new Map<number, CommentJson[]>();
    for (const r of children) {
      const list = byParent.get(r.parentId!) ?? [];
      list.push(r);
      byParent.set(r.parentId!, list);
    }
    const renderNode = (n: CommentJson): string => {
      const kids = n.depth < NEST_LIMIT ? collect(n) : [];
      return render({ c: n, ...base, nest: NEST_LIMIT, more: n.depth === 0 ? more : 0, childrenHtml: kids.map(renderNode).join('') });
    };
    // A node's reply list: its direct replies, plus (at the limit) everything beneath them, in thread order.
    const collect = (n: CommentJson): CommentJson[] => {
      const direct = byParent.get(n.id) ?? [];
      if (n.depth < NEST_LIMIT - 1) return direct;
      const flat: CommentJson[] = [];
      const walk = (m: CommentJson) => {
        flat.push(m);
        for (const k of byParent.get(m.id) ?? []) walk(k);
      };
      direct.forEach(walk);
      return flat.sort((a, b) => a.id - b.id);
    };
    return renderNode(c);
  };
  return roots.map((r) => one(r, r.replies ?? [], Math.max(0, r.replyCount - (r.replies ?? []).filter((x) => x.status === 'published').length))).join('');
}
