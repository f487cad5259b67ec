// Owns the language of the request or socket event being answered, so that every message made while
// answering it (services, zod refusals, limiters) reads in that language without threading it through
// every call. Outside any request (start-up, timers) messages are in zh-CN.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lang } from './strings';

const current = new AsyncLocalStorage<Lang>();

/** Runs fn (and everything it awaits or schedules) with lang as the language of its messages. */
export function withLang<T>(lang: Lang, fn: () => T): T {
  return current.run(lang, fn);
}

export function requestLang(): Lang | undefined {
  return current.getStore();
}
