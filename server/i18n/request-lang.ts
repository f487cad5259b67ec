// Owns the language of the request or socket event being answered, so that every message made while
// answering it (services, zod refusals, limiters) reads in that language without threading it through
// every call. Outside any request (start-up, timers) messages are in zh-CN.
//
// The language rides on an AsyncLocalStorage only while a request in another language is being answered.
// On Node 20 a live AsyncLocalStorage turns on V8's promise hooks for the whole process: every promise and
// every callback pays for them (a reconnect storm of 3,000 readers cost 16% more server CPU with it, bench
// storm). Nearly every request reads in zh-CN, the language messages fall back to, so those run without it;
// the storage is switched on when a request in another language starts and off again when the last one ends.
// Work that a request leaves running after its answer (a mail sent later) reads in zh-CN.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lang } from './strings';

/** What msg() falls back to with no request language in force. */
const BASE_LANG: Lang = 'zh-CN';

const current = new AsyncLocalStorage<Lang>();
/** Answers in a language other than BASE_LANG that have started and not yet ended. */
let others = 0;

/**
 * Runs fn (and everything it awaits or schedules) with lang as the language of its messages. `done` must be
 * called once when the answer has left (the response finished or closed, the ack sent); it may be called
 * before fn returns.
 */
export function withLang<T>(lang: Lang, fn: () => T): { result: T; done: () => void } {
  if (lang === BASE_LANG && others === 0) return { result: fn(), done: () => undefined };
  if (lang === BASE_LANG) return { result: current.run(lang, fn), done: () => undefined };
  others++;
  let ended = false;
  const done = () => {
    if (ended) return;
    ended = true;
    // The last answer in another language is over: everything still running reads in BASE_LANG anyway.
    if (--others === 0) current.disable();
  };
  return { result: current.run(lang, fn), done };
}

/** Runs an async answer with lang, and ends it when the answer settles. */
export function answerIn<T>(lang: Lang, fn: () => Promise<T>): Promise<T> {
  if (lang === BASE_LANG && others === 0) return fn();
  const { result, done } = withLang(lang, fn);
  return result.finally(done);
}

export function requestLang(): Lang | undefined {
  return current.getStore();
}

/** Whether the storage is on (tests: it is off again once every answer in another language has ended). */
export function languageStorageOn(): boolean {
  return others > 0;
}
