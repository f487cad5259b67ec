// Owns what the heated-thread tools share between the article page and the embed: their options (the
// socket, the thread, how to call the API and say a problem), and the small string helpers.
import { api } from './api.js';
import type { TimeFormat } from './time-format.js';
import type { Thread } from './thread.js';
import type { PageData } from './types.js';

export interface HeatSocket {
  on(event: string, fn: (...args: never[]) => void): void;
  emit(event: string, ...args: unknown[]): void;
  connected: boolean;
}

/** A JSON call: the page's same-origin api(), or the embed's CORS client (paths under /api/embed). */
export type Call = <T>(method: string, url: string, body?: unknown) => Promise<T>;

export interface HeatOptions {
  data: PageData;
  socket: HeatSocket;
  thread: Thread;
  time: TimeFormat;
  /** Marks an event's seq as seen (app.ts's seq tracking): reactions move the article's seq too. */
  sawSeq(seq: number): void;
  /** Defaults to the page's api(). */
  call?: Call;
  /** Shows a problem in the live status line; defaults to the page's #live-status. */
  say?(text: string): void;
  /** Where the "no colour emoji" class goes; defaults to <html> (the embed passes its Shadow DOM wrapper). */
  flagRoot?: HTMLElement;
}

export const callOf = (o: HeatOptions): Call => o.call ?? api;

export function say(o: HeatOptions, text: string): void {
  if (o.say) return o.say(text);
  const status = document.getElementById('live-status');
  if (status) {
    status.textContent = text;
    status.hidden = false;
  }
}

export const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

/** "2 分钟" / "30 秒", as the server says it (server/heat/slow-mode.ts). */
export function interval(t: Record<string, string>, seconds: number): string {
  return seconds % 60 === 0 ? fill(t.intervalMinutes, { n: seconds / 60 }) : fill(t.intervalSeconds, { n: seconds });
}

/** The host's storage may be blocked (a sandboxed frame, strict privacy settings): then nothing is remembered. */
export const remember = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string): void {
    try {
      localStorage.setItem(key, value);
    } catch {
      /* not remembered */
    }
  },
};
