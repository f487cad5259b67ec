// Owns "N 人正在输入": who typed in which article lately, as a count only (never names), coalesced to at most
// one broadcast per article per second and none when the count has not changed. Typists are kept behind a small
// interface (TypingBoard): this node's memory, or Redis where the nodes' typists add up (typing.redis.ts).
import type { Server } from 'socket.io';
import { articleRoom } from '../realtime/rooms';

/** A typist counts this long after their last keystroke. */
export const TYPING_TTL_MS = 5000;
/** At most one typing:count per article per this long. */
export const TYPING_INTERVAL_MS = 1000;

/** An article's typists as the board answers them; the slug travels with it (another node's readers need it). */
export interface TypingCount {
  slug: string;
  count: number;
}

/** Where typists are kept: this node's memory, or Redis where every node adds its own (typing.redis.ts). */
export interface TypingBoard {
  /** Marks the socket as typing in the article until `until`. */
  touch(article: { id: number; slug: string }, socketId: string, until: number): void;
  /** Forgets the socket (left, disconnected, or sent its comment). */
  drop(articleId: number, socketId: string): void;
  /** Typists per article at `now` over every node the board sees (only articles with any); expired ones forgotten. */
  counts(now: number): Promise<Map<number, TypingCount>>;
  /** Whether a count may be above 0 somewhere without a local keystroke to say so (a shared board keeps polling). */
  watching(): boolean;
  stop(): void;
}

export function memoryTypingBoard(): TypingBoard {
  const byArticle = new Map<number, { slug: string; until: Map<string, number> }>();
  return {
    touch(article, socketId, until) {
      let a = byArticle.get(article.id);
      if (!a) byArticle.set(article.id, (a = { slug: article.slug, until: new Map() }));
      a.until.set(socketId, until);
    },
    drop(articleId, socketId) {
      const a = byArticle.get(articleId);
      a?.until.delete(socketId);
      if (a && a.until.size === 0) byArticle.delete(articleId);
    },
    async counts(now) {
      const out = new Map<number, TypingCount>();
      for (const [id, a] of byArticle) {
        for (const [socket, until] of a.until) if (until <= now) a.until.delete(socket);
        if (a.until.size === 0) byArticle.delete(id);
        else out.set(id, { slug: a.slug, count: a.until.size });
      }
      return out;
    },
    watching: () => byArticle.size > 0,
    stop: () => byArticle.clear(),
  };
}

export interface Typing {
  typed(article: { id: number; slug: string }, socketId: string): void;
  stopped(articleId: number, socketId: string): void;
  /** The count last announced for the article (what a joining reader is told). */
  current(articleId: number): number;
  stop(): void;
}

export interface TypingOptions {
  now?: () => number;
  /** Emits typing:count to the article's readers; io.local in the app (each node tells its own readers). */
  emit: (article: { id: number; slug: string }, count: number) => void;
  board?: TypingBoard;
  intervalMs?: number;
  ttlMs?: number;
  /** A board that failed to answer (Redis away): logged by the caller; the tick goes on. */
  onError?: (err: unknown) => void;
}

/**
 * One tick per interval while the board has typists (or watches other nodes, or a count is still to bring back
 * to 0): each article's count is read and sent only when it differs from the last one this node sent. A burst
 * of keystrokes from 50 typists thus costs at most one event per second per article on each node, to that
 * node's own readers; with a shared board every node tells its readers the same total.
 */
export function createTyping(o: TypingOptions): Typing {
  const now = o.now ?? Date.now;
  const board = o.board ?? memoryTypingBoard();
  const interval = o.intervalMs ?? TYPING_INTERVAL_MS;
  const ttl = o.ttlMs ?? TYPING_TTL_MS;
  const sent = new Map<number, TypingCount>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;

  const tick = async () => {
    timer = undefined;
    running = true;
    try {
      const counts = await board.counts(now());
      for (const id of new Set([...counts.keys(), ...sent.keys()])) {
        const c = counts.get(id) ?? { slug: sent.get(id)!.slug, count: 0 };
        if ((sent.get(id)?.count ?? 0) === c.count) continue;
        if (c.count === 0) sent.delete(id);
        else sent.set(id, c);
        o.emit({ id, slug: c.slug }, c.count);
      }
    } catch (err) {
      o.onError?.(err);
    } finally {
      running = false;
    }
    if (board.watching() || sent.size) schedule();
  };
  const schedule = () => {
    if (timer || running || stopped) return;
    timer = setTimeout(() => void tick(), interval);
    timer.unref();
  };
  if (board.watching()) schedule();
  return {
    typed(article, socketId) {
      board.touch(article, socketId, now() + ttl);
      schedule();
    },
    stopped(articleId, socketId) {
      board.drop(articleId, socketId);
      if (sent.has(articleId)) schedule();
    },
    current: (articleId) => sent.get(articleId)?.count ?? 0,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      board.stop();
    },
  };
}

/** The emitter the app uses: this node's readers of the article hear the count. */
export const typingEmitter = (io: Server) => (article: { id: number; slug: string }, count: number) => {
  io.local.to(articleRoom(article.id)).emit('typing:count', { article: article.slug, count });
};
