// Owns "N 人正在输入": who typed in which article lately, as a count only (never names), coalesced to at most
// one broadcast per article per second and none when the count has not changed. Typists are kept per node
// behind a small interface (TypingBoard), like presence, so a Redis board can later sum every node's typists.
import type { Server } from 'socket.io';
import { articleRoom } from '../realtime/rooms';

/** A typist counts this long after their last keystroke. */
export const TYPING_TTL_MS = 5000;
/** At most one typing:count per article per this long. */
export const TYPING_INTERVAL_MS = 1000;

/** Where typists are kept: this node's memory today; the interface a shared (Redis) board would fill. */
export interface TypingBoard {
  /** Marks the socket as typing in the article until `until`. */
  touch(articleId: number, socketId: string, until: number): void;
  /** Forgets the socket (left, disconnected, or sent its comment). */
  drop(articleId: number, socketId: string): void;
  /** Typists whose time has not run out at `now`; expired ones are forgotten. */
  count(articleId: number, now: number): number;
  /** Articles with any typist, or with an announced count not yet back to 0. */
  articles(): number[];
}

export function memoryTypingBoard(): TypingBoard {
  const byArticle = new Map<number, Map<string, number>>();
  return {
    touch(articleId, socketId, until) {
      let m = byArticle.get(articleId);
      if (!m) byArticle.set(articleId, (m = new Map()));
      m.set(socketId, until);
    },
    drop(articleId, socketId) {
      const m = byArticle.get(articleId);
      m?.delete(socketId);
      if (m && m.size === 0) byArticle.delete(articleId);
    },
    count(articleId, now) {
      const m = byArticle.get(articleId);
      if (!m) return 0;
      for (const [id, until] of m) if (until <= now) m.delete(id);
      if (m.size === 0) byArticle.delete(articleId);
      return m.size;
    },
    articles: () => [...byArticle.keys()],
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
}

/**
 * One tick per interval while any article has typists (or a count to bring back to 0): each article's count is
 * read and sent only when it differs from the last one sent. A burst of keystrokes from 50 typists thus costs
 * at most one event per second per article.
 */
export function createTyping(o: TypingOptions): Typing {
  const now = o.now ?? Date.now;
  const board = o.board ?? memoryTypingBoard();
  const interval = o.intervalMs ?? TYPING_INTERVAL_MS;
  const ttl = o.ttlMs ?? TYPING_TTL_MS;
  const sent = new Map<number, number>();
  const slugs = new Map<number, string>();
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    timer = undefined;
    const ids = new Set([...board.articles(), ...sent.keys()]);
    for (const id of ids) {
      const n = board.count(id, now());
      if ((sent.get(id) ?? 0) === n) continue;
      if (n === 0) sent.delete(id);
      else sent.set(id, n);
      o.emit({ id, slug: slugs.get(id) ?? '' }, n);
      if (n === 0 && !board.articles().includes(id)) slugs.delete(id);
    }
    if (board.articles().length || sent.size) schedule();
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(tick, interval);
    timer.unref();
  };
  return {
    typed(article, socketId) {
      slugs.set(article.id, article.slug);
      board.touch(article.id, socketId, now() + ttl);
      schedule();
    },
    stopped(articleId, socketId) {
      board.drop(articleId, socketId);
      if (sent.has(articleId)) schedule();
    },
    current: (articleId) => sent.get(articleId) ?? 0,
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The emitter the app uses: this node's readers of the article hear the count. */
export const typingEmitter = (io: Server) => (article: { id: number; slug: string }, count: number) => {
  io.local.to(articleRoom(article.id)).emit('typing:count', { article: article.slug, count });
};
