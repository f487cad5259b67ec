// Owns the moderation console page: the views behind the navigation (hash routes), the live queue counts,
// the /moderation socket (queue:changed -> refetch and merge, article:updated) and the keyboard shortcuts.
import { call, data, enterView, fill, S, sessionLost } from './admin-dom.js';
import { keepFilterFresh } from './admin-filter.js';
import { QueueView } from './admin-queue.js';
import { QueueActions } from './admin-queue-actions.js';
import { ArticlesView, AuditView, BansView } from './admin-views.js';
import { ModeratorsView, SiteView, WordsView } from './admin-settings.js';
import { ImportView } from './admin-import.js';
import { NotifyView } from './admin-notify.js';
import { EmbedSitesView } from './admin-embed.js';
import { PulseView, type ArticlePulse, type Pulse } from './admin-pulse.js';
import { ACK_AUTH, sendAcks } from './flow.js';
import type { AdminArticle, Counts, QueueItem, QueueName } from './admin-types.js';

interface Sock {
  connected: boolean;
  on(event: string, fn: (...args: never[]) => void): void;
  emit(event: string, payload: unknown, ack: (r: { ok: boolean; data?: { counts: Counts } }) => void): void;
  connect(): void;
}
declare const io: (nsp: string, opts?: Record<string, unknown>) => Sock;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const QUEUES: Record<QueueName, string> = { pending: S.queuePending, reported: S.queueReported, published: S.queuePublished, rejected: S.queueRejected };
const isQueue = (name: string): name is QueueName => Object.prototype.hasOwnProperty.call(QUEUES, name);
const isAdmin = data.me.role === 'admin';
const baseTitle = document.title;

const filter = $<HTMLSelectElement>('article-filter');
keepFilterFresh(filter);
const queue = new QueueView(showCounts);
const actions = new QueueActions(queue, () => refreshCounts());
const audit = new AuditView();
const bans = new BansView();
const articles = new ArticlesView();
const pulse = new PulseView();
const others: Record<string, { load(): Promise<void> }> = { audit, bans, articles, notify: new NotifyView(isAdmin), pulse };
if (isAdmin) Object.assign(others, { site: new SiteView(), words: new WordsView(), moderators: new ModeratorsView() });
if (isAdmin) new ImportView();
if (isAdmin) others.embed = new EmbedSitesView();

let view = '';

function showCounts(c: Counts): void {
  for (const q of ['pending', 'reported'] as const) {
    const el = $(`count-${q}`);
    el.textContent = String(c[q]);
    el.classList.toggle('is-zero', c[q] === 0);
    el.setAttribute('aria-label', fill(S.countLabel, { n: c[q] }));
  }
  const waiting = c.pending + c.reported;
  document.title = waiting > 0 ? `(${waiting}) ${baseTitle}` : baseTitle;
}

let countsTimer = 0;
/** Counts for the current article filter, by socket ack when live, else over HTTP; bursts collapse into one ask. */
function refreshCounts(): void {
  window.clearTimeout(countsTimer);
  countsTimer = window.setTimeout(() => {
    const article = filter.value;
    if (socket.connected) {
      socket.emit('queue:counts', article ? { article } : {}, (r) => {
        if (r.ok && r.data && article === filter.value) showCounts(r.data.counts);
      });
    } else {
      call<{ counts: Counts }>('GET', `/api/admin/counts${article ? `?article=${encodeURIComponent(article)}` : ''}`)
        .then((r) => article === filter.value && showCounts(r.counts))
        .catch(() => undefined);
    }
  }, 50);
}

/** Shows the view named by the location's hash (#pending, #audit, …); unknown hashes keep the current view. */
function route(): void {
  const name = location.hash.slice(1) || 'pending';
  const queueView = isQueue(name);
  if (!queueView && !Object.prototype.hasOwnProperty.call(others, name)) {
    if (!view) location.replace('#pending');
    return;
  }
  view = name;
  enterView(name);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('.admin-nav a[data-view]')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const sec of document.querySelectorAll<HTMLElement>('section.view')) sec.hidden = sec.id !== (queueView ? 'view-queue' : `view-${name}`);
  if (queueView) {
    $('queue-heading').textContent = QUEUES[name];
    void queue.show(name, filter.value);
  } else {
    void others[name].load().catch(() => undefined);
  }
}

window.addEventListener('hashchange', route);
filter.addEventListener('change', () => {
  if (isQueue(view)) void queue.show(view, filter.value);
  refreshCounts();
});

// Live: the server names the comments that changed; we fetch their moderator view and merge it.
const socket = io('/moderation', { transports: ['websocket', 'polling'], auth: ACK_AUTH });
sendAcks(socket);
const changed = new Set<number>();
let flushTimer = 0;

async function flushChanged(): Promise<void> {
  flushTimer = 0;
  const ids = [...changed];
  changed.clear();
  if (isQueue(view)) {
    for (let i = 0; i < ids.length; i += 200) {
      const r = await call<{ items: QueueItem[] }>('GET', `/api/admin/comments?ids=${ids.slice(i, i + 200).join(',')}`);
      await queue.apply(r.items);
    }
  }
  refreshCounts();
}

function setLive(on: boolean): void {
  const el = $('conn');
  el.textContent = on ? S.online : S.offline;
  el.classList.toggle('is-offline', !on);
}

socket.on('connect', () => {
  setLive(true);
  // Whatever changed while we were not listening (including before the first connect) is merged in.
  if (isQueue(view)) void queue.resync();
  refreshCounts();
});
socket.on('disconnect', (reason: string) => {
  setLive(false);
  // The server ends the socket when this session is signed out; check before connecting again.
  if (reason === 'io server disconnect') {
    call('GET', '/api/admin/me')
      .then(() => socket.connect())
      .catch(() => undefined);
  }
});
socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
  setLive(false);
  if (err.data?.code === 'unauthenticated') sessionLost();
});
socket.on('queue:changed', (e: { ids: number[] }) => {
  for (const id of e.ids) changed.add(id);
  if (!flushTimer) flushTimer = window.setTimeout(() => void flushChanged().catch(() => undefined), 30);
});
socket.on('article:updated', (e: { article: string; commentsClosed: boolean; commentCount: number; moderationMode: AdminArticle['moderationMode'] }) => {
  articles.update({ slug: e.article, commentsClosed: e.commentsClosed, commentCount: e.commentCount, moderationMode: e.moderationMode });
});

socket.on('heat:pulse', (p: Pulse) => {
  if (view === 'pulse') pulse.update(p);
});
socket.on('heat:alarm', (a: ArticlePulse) => pulse.alarm(a));

// Keyboard: j/k move, a approve, r reject, x select, ? help. Never while the moderator types in a field.
const help = $<HTMLDialogElement>('help');
const NOT_TYPING = new Set(['checkbox', 'radio', 'button', 'submit', 'reset']);

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !NOT_TYPING.has((el as HTMLInputElement).type);
}

function toggleHelp(): void {
  if (help.open) help.close();
  else help.showModal();
}

$('help-open').addEventListener('click', toggleHelp);
$('help-close').addEventListener('click', () => help.close());

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || typing(e.target)) return;
  if (e.key === '?') {
    e.preventDefault();
    return toggleHelp();
  }
  if (help.open || !isQueue(view)) return;
  if (e.key === 'j' || e.key === 'k') queue.move(e.key === 'j' ? 1 : -1);
  else if (['a', 'r', 'x', 'p', 'b', 'u'].includes(e.key)) actions.key(e.key as 'a' | 'r' | 'x' | 'p' | 'b' | 'u');
  else return;
  e.preventDefault();
});

route();
