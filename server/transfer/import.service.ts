// Owns importing another system's comments: a first pass reads the whole file and checks it (a bad file stops
// before anything is written), a second pass writes in batches through the Store, parents before replies.
// Import keys make every batch idempotent: an interrupted run is completed by running it again.
import crypto from 'node:crypto';
import type { Store } from '../db/store';
import type { ImportArticle, ImportComment } from '../db/transfer.types';
import { normalizeName } from '../comments/comments.schema';
import { renderBody } from '../comments/comments.render';
import { MAX_DEPTH } from '../comments/comments.service';
import type { IpHasher } from '../security/ip';
import { htmlToText } from './html-text';
import { slugFor } from './slug';
import { ImportFileError, type PostState, type SourcePost, type SourceReader } from './source';
import { readDisqus } from './formats/disqus';
import { readWordpress } from './formats/wordpress';
import { readArtalk, readRemark42, readTwikoo, readWaline } from './formats/documents';

export const FORMATS: Record<string, SourceReader> = {
  disqus: readDisqus,
  wordpress: readWordpress,
  waline: readWaline,
  twikoo: readTwikoo,
  remark42: readRemark42,
  artalk: readArtalk,
};
export type ImportFormat = keyof typeof FORMATS;

/** Longest body kept (characters, after conversion); longer ones are cut and counted. Our posting limit is 5,000. */
const BODY_MAX = 20_000;
const NAME_MAX = 40;
const BATCH = 500;

export type SkipReason = 'deleted' | 'spam' | 'unapproved' | 'empty' | 'duplicate' | 'no_thread';

export interface ImportSummary {
  format: string;
  dryRun: boolean;
  threads: number;
  posts: number;
  /** Written now (a dry run: would be written, unless an earlier import stored them). */
  imported: number;
  /** Deleted, spam or unapproved posts kept as rejected comments (--rejected=import). */
  rejected: number;
  /** Stored by an earlier import of the same source: left alone. */
  existing: number;
  articlesCreated: number;
  skipped: Record<SkipReason, number>;
  /** Replies whose parent is missing (or skipped): imported as top-level comments. */
  orphans: number;
  /** Bodies longer than BODY_MAX characters, cut. */
  truncated: number;
}

export interface ImportOptions {
  format: string;
  file: string;
  dryRun?: boolean;
  /** What happens to deleted, spam and unapproved posts: left out (default) or stored as rejected. */
  rejected?: 'skip' | 'import';
  ipHash: IpHasher | null;
  /** Called now and then: phase, posts handled so far. */
  progress?: (phase: 'check' | 'write', done: number) => void;
}

interface Indexed {
  parentKey: string | null;
  slug: string;
  keep: boolean;
}

const skipOf = (s: PostState): SkipReason | null => (s === 'ok' ? null : s);

export async function importFile(store: Store, o: ImportOptions): Promise<ImportSummary> {
  const read = FORMATS[o.format];
  if (!read) throw new ImportFileError(`unknown format "${o.format}"; one of: ${Object.keys(FORMATS).join(', ')}, yilun`);
  const summary: ImportSummary = {
    format: o.format,
    dryRun: !!o.dryRun,
    threads: 0,
    posts: 0,
    imported: 0,
    rejected: 0,
    existing: 0,
    articlesCreated: 0,
    skipped: { deleted: 0, spam: 0, unapproved: 0, empty: 0, duplicate: 0, no_thread: 0 },
    orphans: 0,
    truncated: 0,
  };
  const keepRejected = o.rejected === 'import';

  // Pass 1: read and check everything; remember per post only what placing it needs (no bodies).
  const threads = new Map<string, string>();
  const articles = new Map<string, ImportArticle>();
  const posts = new Map<string, Indexed>();
  let seen = 0;
  await read(o.file, (item) => {
    if (item.kind === 'thread') {
      if (threads.has(item.key)) return;
      summary.threads++;
      const slug = slugFor(item);
      threads.set(item.key, slug);
      // Threads that share an identifier (Disqus duplicates) share one article; the first title wins.
      if (!articles.has(slug)) articles.set(slug, { slug, title: (normalizeName(item.title) || slug).slice(0, 200), createdAt: 0 });
      return;
    }
    summary.posts++;
    if (++seen % 1000 === 0) o.progress?.('check', seen);
    const slug = threads.get(item.threadKey);
    const empty = !toBody(item).body;
    const state = skipOf(item.state);
    const reason: SkipReason | null = posts.has(item.key) ? 'duplicate' : slug === undefined ? 'no_thread' : (state ?? (empty ? 'empty' : null));
    const keep = reason === null || (keepRejected && reason === state && !empty);
    if (!keep) summary.skipped[reason!]++;
    else if (state) summary.rejected++;
    if (reason === 'duplicate') return;
    posts.set(item.key, { parentKey: item.parentKey, slug: slug ?? '', keep });
    const a = slug !== undefined ? articles.get(slug) : undefined;
    if (a && keep && (a.createdAt === 0 || item.createdAt < a.createdAt)) a.createdAt = item.createdAt;
  });
  o.progress?.('check', seen);

  // A reply keeps its parent only if the parent is kept; otherwise it becomes top-level and is counted.
  const parentOf = (p: Indexed): string | null => {
    if (p.parentKey === null) return null;
    const parent = posts.get(p.parentKey);
    return parent && parent.keep && parent.slug === p.slug ? p.parentKey : null;
  };
  for (const p of posts.values()) {
    if (!p.keep) continue;
    if (p.parentKey !== null && parentOf(p) === null) summary.orphans++;
  }
  if (o.dryRun) {
    for (const p of posts.values()) if (p.keep) summary.imported++;
    return summary;
  }

  // Pass 2: write, parents first. A reply read before its parent waits for it (exports list parents first,
  // so this stays small); replies in a cycle of parents are placed top-level at the end.
  const placed = new Set<string>();
  const waiting = new Map<string, ImportComment[]>();
  const createdArticles = new Set<string>();
  let batch: ImportComment[] = [];
  let written = 0;
  const flush = async () => {
    if (!batch.length) return;
    const slugs = new Set(batch.map((c) => c.articleSlug));
    const need = [...slugs].filter((s) => !createdArticles.has(s)).map((s) => articles.get(s)!);
    const r = await store.transfer.importBatch({ articles: need, comments: batch, maxDepth: MAX_DEPTH });
    need.forEach((a) => createdArticles.add(a.slug));
    summary.articlesCreated += r.articlesCreated;
    summary.existing += r.existing;
    summary.imported += r.inserted;
    written += batch.length;
    o.progress?.('write', written);
    batch = [];
  };
  const place = async (c: ImportComment) => {
    const queue = [c];
    while (queue.length) {
      const next = queue.shift()!;
      batch.push(next);
      const key = next.key.slice(o.format.length + 1);
      placed.add(key);
      const kids = waiting.get(key);
      if (kids) {
        waiting.delete(key);
        queue.push(...kids);
      }
      if (batch.length >= BATCH) await flush();
    }
  };
  await read(o.file, async (item) => {
    if (item.kind !== 'post') return;
    const p = posts.get(item.key);
    if (!p || !p.keep || placed.has(item.key)) return;
    const parentKey = parentOf(p);
    const c = toComment(o, item, p, parentKey, summary);
    if (parentKey !== null && !placed.has(parentKey)) {
      const list = waiting.get(parentKey) ?? [];
      list.push(c);
      waiting.set(parentKey, list);
      return;
    }
    await place(c);
  });
  // Left waiting: replies in a cycle of parents (or below one). Each entry leaves the map before its replies are
  // placed, so that placing them cannot release the same replies twice.
  for (let next = waiting.entries().next(); !next.done; next = waiting.entries().next()) {
    const [parentKey, kids] = next.value;
    waiting.delete(parentKey);
    for (const c of kids) {
      summary.orphans++;
      await place({ ...c, parentKey: null });
    }
  }
  await flush();
  return summary;
}

function toBody(item: SourcePost): { body: string; truncated: boolean } {
  const text = htmlToText(item.html);
  return text.length > BODY_MAX ? { body: text.slice(0, BODY_MAX), truncated: true } : { body: text, truncated: false };
}

function toComment(o: ImportOptions, item: SourcePost, p: Indexed, parentKey: string | null, summary: ImportSummary): ImportComment {
  const { body, truncated } = toBody(item);
  if (truncated) summary.truncated++;
  const name = [...normalizeName(item.authorName)].slice(0, NAME_MAX).join('') || 'anonymous';
  const who = crypto.createHash('sha256').update(`${o.format}\0${item.authorId || name}`).digest('hex');
  return {
    key: `${o.format}:${item.key}`,
    parentKey: parentKey === null ? null : `${o.format}:${parentKey}`,
    articleSlug: p.slug,
    authorTokenHash: `import:${who}`,
    authorName: name,
    body,
    html: renderBody(body),
    status: item.state === 'ok' ? 'published' : 'rejected',
    createdAt: item.createdAt,
    ipHash: item.ip && o.ipHash ? o.ipHash(item.ip) : null,
  };
}
