// Owns reconnect catch-up: what a client missed since its last seq, bounded by events and by bytes, and
// computed once per (article, since, seq) for every reader who has no stake of their own in the gap, so a
// reconnect storm after a restart costs one computation per distinct since, not one per socket.
import type { Deps } from '../deps';
import type { Article, CommentRow } from '../db/store';
import { requireArticle, type Viewer } from './comments.service';
import { toCommentJson, type CommentJson } from './comments.view';
import { isPubliclyVisible } from './comments.writer';
import { encodeOnce } from '../realtime/ack.encoder';

/** More events than this in the gap: reload the first page instead. */
export const CATCH_UP_MAX = 500;
/** Comments (body, html and name) larger than this in total: reload the first page instead. */
export const CATCH_UP_MAX_BYTES = 256 * 1024;
/** Shared answers kept for readers reconnecting later with the same since (each at most CATCH_UP_MAX_BYTES). */
const SHARED_CACHE_ENTRIES = 32;
/** Rough JSON overhead of one change (ids, dates, flags) on top of its texts. */
const CHANGE_OVERHEAD_BYTES = 400;

export interface CatchUpChange {
  seq: number;
  id: number;
  /** The comment as this viewer may see it now, or null when it is gone for them. */
  comment: CommentJson | null;
}

export interface CatchUp {
  seq: number;
  /** True when the gap is too large (or the log was pruned): reload the first page instead. */
  reset: boolean;
  changes: CatchUpChange[];
  article: { commentCount: number; commentsClosed: boolean };
}

export interface CatchUps {
  /**
   * What a reconnecting client missed since its last seq: each changed comment once, in its latest state. The
   * article must have been read after the reader joined its room, so that nothing committed between falls through.
   */
  catchUp(article: Article, since: number, viewer: Viewer): Promise<CatchUp>;
  /**
   * The id behind a slug, once this process has seen it: articles are never renamed nor deleted, so a join can enter
   * the article's room before its one read of the article (the read a catch-up needs after joining).
   */
  knownId(slug: string): number | undefined;
  remember(article: Pick<Article, 'id' | 'slug'>): void;
  /**
   * The article, read after the caller joined its room: joins that ask while a read has not started yet share
   * it (a reconnect storm's joins of one event-loop turn cost one read, not one each), and a read that has
   * started is never shared with a join that asks later. Answers article_not_found for an unknown slug.
   */
  articleAfterJoin(slug: string): Promise<Article>;
}

/** Slugs whose id is remembered (a number and a short string each); the oldest are forgotten past this. */
const KNOWN_IDS = 10_000;

export interface CatchUpOptions {
  maxEvents?: number;
  maxBytes?: number;
}

/** The answer for a reader with no stake, plus what tells whether a given reader has one. */
interface Shared {
  result: CatchUp;
  authorIds: Set<number>;
  commentIds: number[];
}

const rowBytes = (r: CommentRow) => Buffer.byteLength(r.body) + Buffer.byteLength(r.html) + Buffer.byteLength(r.authorName) + CHANGE_OVERHEAD_BYTES;

async function compute(deps: Deps, article: Article, since: number, viewer: Viewer, opts: Required<CatchUpOptions>): Promise<Shared> {
  const base = { seq: article.seq, article: { commentCount: article.commentCount, commentsClosed: article.commentsClosed } };
  const none = (reset: boolean): Shared => ({ result: { ...base, reset, changes: [] }, authorIds: new Set(), commentIds: [] });
  if (since === article.seq) return none(false);
  // A client ahead of us saw another database (restored backup, test reset): start over.
  if (since > article.seq) return none(true);
  const events = await deps.store.comments.eventsSince(article.id, since, opts.maxEvents + 1);
  if (events.length > opts.maxEvents || events.length === 0 || events[0].seq !== since + 1) return none(true);
  // Per comment: its last seq, and whether it left the public view in the gap (a reader may still show it).
  // Map order is each comment's first change in the gap, so a parent comes before the replies made to it.
  const latest = new Map<number, { seq: number; removed: boolean }>();
  for (const e of events) {
    if (e.commentId === null) continue;
    latest.set(e.commentId, { seq: e.seq, removed: (latest.get(e.commentId)?.removed ?? false) || e.type === 'removed' });
  }
  const rows = await deps.store.comments.getMany([...latest.keys()]);
  const visible = rows.filter((r) => isPubliclyVisible(r) || (r.status === 'pending' && r.authorId === viewer.authorId));
  // The bound is checked on the stored texts, before any JSON is built: long comments cannot make one
  // 60-byte join cost megabytes of memory.
  let bytes = 0;
  for (const r of visible) if ((bytes += rowBytes(r)) > opts.maxBytes) return none(true);
  const liked = viewer.authorId === null ? new Set<number>() : await deps.store.comments.likedBy(viewer.authorId, visible.map((r) => r.id));
  const json = new Map(visible.map((r) => [r.id, toCommentJson(r, { mine: r.authorId === viewer.authorId, liked: liked.has(r.id) })]));
  const authorOf = new Map(rows.map((r) => [r.id, r.authorId]));
  const changes: CatchUpChange[] = [];
  for (const [id, e] of latest) {
    const comment = json.get(id) ?? null;
    // A comment never visible to this viewer (someone else's held comment) is not theirs to know about.
    if (comment === null && !e.removed && authorOf.get(id) !== viewer.authorId) continue;
    changes.push({ seq: e.seq, id, comment });
  }
  const authorIds = new Set(rows.flatMap((r) => (r.authorId === null ? [] : [r.authorId])));
  return { result: { ...base, reset: false, changes }, authorIds, commentIds: [...latest.keys()] };
}

export function createCatchUps(deps: Deps, options: CatchUpOptions = {}): CatchUps {
  const opts = { maxEvents: options.maxEvents ?? CATCH_UP_MAX, maxBytes: options.maxBytes ?? CATCH_UP_MAX_BYTES };
  const inFlight = new Map<string, Promise<Shared>>();
  // Map order doubles as least-recently-used order; the key holds article.seq, so any change misses.
  const cache = new Map<string, Shared>();

  const shared = (article: Article, since: number): Promise<Shared> => {
    const key = `${article.id}:${since}:${article.seq}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return Promise.resolve(hit);
    }
    let p = inFlight.get(key);
    if (!p) {
      p = compute(deps, article, since, { authorId: null }, opts).then((s) => {
        // Never changed once computed: every ack that carries it reuses its JSON text.
        if (s.result.changes.length > 0) encodeOnce(s.result.changes);
        cache.set(key, s);
        if (cache.size > SHARED_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
        return s;
      });
      p.finally(() => inFlight.delete(key)).catch(() => undefined);
      inFlight.set(key, p);
    }
    return p;
  };

  const ids = new Map<string, number>();
  // Reads waiting for the next turn of the event loop, by slug; removed the moment the read starts.
  const pendingReads = new Map<string, Promise<Article>>();
  return {
    articleAfterJoin(slug) {
      let read = pendingReads.get(slug);
      if (!read) {
        read = new Promise<Article>((resolve, reject) =>
          setImmediate(() => {
            pendingReads.delete(slug);
            requireArticle(deps, slug).then(resolve, reject);
          }),
        );
        pendingReads.set(slug, read);
      }
      return read;
    },
    knownId: (slug) => ids.get(slug),
    remember(article) {
      if (ids.has(article.slug)) return;
      if (ids.size >= KNOWN_IDS) ids.delete(ids.keys().next().value!);
      ids.set(article.slug, article.id);
    },
    async catchUp(article, since, viewer) {
      const common = await shared(article, since);
      if (viewer.authorId === null || common.commentIds.length === 0) return common.result;
      // A reader with their own comments or likes in the gap sees them as theirs (mine, liked, held): their own answer.
      const stake = common.authorIds.has(viewer.authorId) || (await deps.store.comments.likedBy(viewer.authorId, common.commentIds)).size > 0;
      return stake ? (await compute(deps, article, since, viewer, opts)).result : common.result;
    },
  };
}
