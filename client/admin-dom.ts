// Owns what every console module shares: the page's data, the strings, a DOM builder that only ever
// creates text nodes for strings, time formatting, the status line and API calls that notice a lost session.
import { api, ApiError, describeError } from './api.js';
import { timeFormat } from './time-format.js';
import type { ConsoleData } from './admin-types.js';

export const data = JSON.parse(document.getElementById('yl-admin-data')!.textContent!) as ConsoleData;
export const S = data.strings;

type Attr = string | number | boolean | null | undefined;
type Child = Node | string | null | undefined | false;

/**
 * Builds an element. Attributes go through setAttribute (true = present, false/null/undefined = absent) and
 * string children become text nodes, so no user string is ever parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

/** Fills {name} placeholders; the result is used as text. */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

const siteTime = timeFormat(data.timeZone, data.timeWords);

/** "2026年5月1日 14:03 GMT+8" in the site's zone (TIMEZONE), by the same formatter as the reader pages. */
export function fmtTime(when: string | number): string {
  return siteTime.full(typeof when === 'number' ? when : Date.parse(when));
}

/** A relative time ("5 分钟前") with the full time on hover and in datetime. */
export function timeEl(when: string | number): HTMLTimeElement {
  const ms = typeof when === 'number' ? when : Date.parse(when);
  return h('time', { datetime: new Date(ms).toISOString(), title: fmtTime(ms) }, siteTime.relative(ms, Date.now()));
}

const statusEl = document.getElementById('notice')!;
const alertEl = document.getElementById('alert')!;
let noticeTimer = 0;
let currentView = '';

function clearNotices(): void {
  window.clearTimeout(noticeTimer);
  for (const el of [statusEl, alertEl]) {
    el.textContent = '';
    el.hidden = true;
  }
}

/** The view on screen. A notice belongs to the view that raised it: switching views clears it. */
export function enterView(name: string): void {
  if (name !== currentView) clearNotices();
  currentView = name;
}

export function viewShown(): string {
  return currentView;
}

/**
 * One line of feedback: successes in a polite status region, failures in an alert region. `owner` is the
 * view the action started in: an answer arriving after the moderator moved on is not shown in another view.
 */
export function notify(msg: string, kind: 'ok' | 'error' = 'ok', owner = currentView): void {
  if (owner !== currentView) return;
  clearNotices();
  const el = kind === 'ok' ? statusEl : alertEl;
  el.textContent = msg;
  el.hidden = false;
  noticeTimer = window.setTimeout(clearNotices, kind === 'ok' ? 4000 : 8000);
}

export function notifyError(err: unknown, owner = currentView): void {
  notify(describeError(err, S.errorGeneric), 'error', owner);
}

let leaving = false;

/** Sends our session back to the login page once, with a message, when the server no longer knows it. */
export function sessionLost(): void {
  if (leaving) return;
  leaving = true;
  notify(S.sessionExpired, 'error');
  window.setTimeout(() => location.assign('/admin/login'), 1200);
}

/** JSON API call, same-origin with credentials; a 401 means the session ended elsewhere. */
export async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  try {
    return await api<T>(method, url, body);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) sessionLost();
    throw err;
  }
}

/** Runs an async action from a button, disabling it meanwhile and reporting a failure. */
export async function busy(btn: HTMLButtonElement | null, fn: (owner: string) => Promise<void>): Promise<void> {
  if (btn?.disabled) return;
  if (btn) btn.disabled = true;
  const owner = currentView;
  try {
    await fn(owner);
  } catch (err) {
    notifyError(err, owner);
  } finally {
    if (btn) btn.disabled = false;
  }
}

export const statusLabel = (status: string): string =>
  ({ published: S.statusPublished, pending: S.statusPending, rejected: S.statusRejected, deleted: S.statusDeleted })[status] ?? status;
