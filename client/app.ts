// Owns the live article page: reads the server's data, joins the article's room, applies every
// event exactly once (by comment id and seq), catches up after a reconnect, and keeps the reader in place.
import { api, describeError } from './api.js';
import { wireActions } from './actions.js';
import { Compose } from './form.js';
import { flash, Thread } from './thread.js';
import { siteTime, startClock } from './time.js';
import { watchConnection } from './connection.js';
import { ACK_AUTH, sendAcks } from './flow.js';
import { wireWriteBar } from './write-bar.js';
import { SeqTracker } from './seq-tracker.js';
import { startInbox } from './inbox.js';
import { wireHeat } from './heat.js';
import type { Ack, CommentEvent, CommentJson, PageData, SeqAdvanced, ThreadMerged } from './types.js';

interface JoinResult {
  seq: number;
  presence: number;
  commentCount: number;
  commentsClosed: boolean;
  slowModeSeconds?: number;
  reset: boolean;
  changes: { seq: number; id: number; comment: CommentJson | null }[];
}

interface SocketLike {
  on(event: string, fn: (...args: never[]) => void): void;
  emit(event: string, payload: unknown, ack: (r: Ack<JoinResult>) => void): void;
  connected: boolean;
  connect(): void;
  disconnect(): void;
}

declare const io: (opts?: Record<string, unknown>) => SocketLike & { connect(): void; io: { reconnection(v: boolean): void } };

const data = JSON.parse(document.getElementById('yl-data')!.textContent!) as PageData;
const t = data.strings;
const time = siteTime(data);
document.documentElement.classList.add('js');
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

/**
 * The seq up to which this page has seen every event (live, by catch-up or by a page load) is the `since`
 * of the next join. Events can arrive past a gap (the server skips a seq it waited too long for; with
 * several nodes, Redis pub/sub may drop or reorder one): a gap still open after a short wait is filled
 * from the event log by joining again, and a late event never replaces a newer state (seq-tracker.ts).
 */
const seqs = new SeqTracker({ seq: data.seq, fill: () => join(), canFill: () => socket.connected });
const sawSeq = (s: number) => seqs.saw(s);
const coveredTo = (s: number) => seqs.covered(s);

/** Applies a comment's state unless the page already shows a newer one; a newer like count is kept. */
function applyState(c: CommentJson | null, id: number, s: number, apply: () => void): void {
  if (!seqs.acceptState(id, s)) return;
  apply();
  const likes = c ? seqs.newerLikes(id, s) : undefined;
  if (likes !== undefined) thread.setLikes(id, likes);
}
let hasIdentity = data.hasIdentity;
let sort = data.sort;
let nextCursor = data.nextCursor;
let remaining = data.remaining;
const buffered: HTMLElement[] = [];

const newBar = $('new-bar') as HTMLButtonElement;
const statusEl = $('live-status')!;
const countEl = $('comment-count')!;
const presenceEl = $('presence')!;

function status(msg: string): void {
  statusEl.textContent = msg;
  statusEl.hidden = msg === '';
}

/** Is the top of the thread on screen? If not, the reader is reading further down: do not move things. */
function threadTopVisible(): boolean {
  const r = thread.root.getBoundingClientRect();
  return r.top >= -40;
}

function showNewBar(): void {
  // Comments removed while waiting behind the bar are no longer in the thread's index.
  const waiting = buffered.filter((el) => thread.comments.has(Number(el.dataset.id))).length;
  const text = t.newComments.replace('{n}', String(waiting));
  if (newBar.textContent !== text) newBar.textContent = text;
  newBar.hidden = waiting === 0;
  if (waiting) announce(t.newCommentsAnnounce.replace('{n}', String(waiting)));
}

/** Says something to screen readers (a polite live region), e.g. that new comments arrived. */
function announce(msg: string): void {
  const el = $('announce');
  if (el) el.textContent = msg;
}

/** Does top-level comment a come before b in the current sort? (Pinned ones are placed apart.) */
function before(a: CommentJson, b: CommentJson): boolean {
  if (sort === 'newest') return a.id > b.id;
  if (sort === 'oldest') return a.id < b.id;
  // 最热: likes plus every reaction (the server's score).
  const score = (c: CommentJson) => c.likes + Object.values(c.reactions ?? {}).reduce((x, y) => x + y, 0);
  return score(a) > score(b) || (score(a) === score(b) && a.id > b.id);
}

/** Puts a top-level comment where the server would list it; past the loaded pages it waits for 加载更多. */
function placeTopLevel(el: HTMLElement, c: CommentJson): boolean {
  if (c.pinned) {
    thread.root.prepend(el);
    return true;
  }
  for (const li of Array.from(thread.root.querySelectorAll<HTMLElement>(':scope > li.comment:not(.is-pinned)'))) {
    if (li === el) continue;
    const other = thread.comments.get(Number(li.dataset.id));
    if (other && before(c, other)) {
      li.before(el);
      return true;
    }
  }
  if (nextCursor !== null) {
    el.remove();
    return false;
  }
  thread.root.append(el);
  return true;
}

const thread = new Thread({
  data,
  root: $('thread') as HTMLOListElement,
  onNewTopLevel(el, c) {
    $('empty')?.remove();
    // Newest first, and the reader is further down the thread: collect it behind the bar instead.
    if (sort === 'newest' && !c.pinned && !c.mine && !threadTopVisible()) {
      // An edit of a comment still waiting behind the bar replaces it there.
      const i = buffered.findIndex((b) => b.dataset.id === el.dataset.id);
      if (i >= 0) buffered[i] = el;
      else buffered.unshift(el);
      showNewBar();
      return;
    }
    const placed = placeTopLevel(el, c);
    if (placed && (c.mine || sort === 'newest')) flash(el);
    // Past the loaded pages (最早 order): the comment waits there, and 加载更多 says that something new is in it.
    if (!placed) {
      remaining += 1;
      const more = $('load-more');
      if (more) more.textContent = t.loadMoreNew;
    }
    if (!c.mine) announce(t.newCommentsAnnounce.replace('{n}', '1'));
  },
  onPinChanged(el, c) {
    placeTopLevel(el, c);
    flash(el);
  },
  onDetach(old, fresh) {
    if (!compose?.isInside(old)) return;
    if (old === thread.root) return compose.replyTo(null);
    const target = fresh?.querySelector(':scope > .comment-main');
    if (target && compose.form.parentElement === old) target.after(compose.form);
    else if (!target) compose.orphan();
  },
  time,
});
thread.adopt(data.comments);

newBar.addEventListener('click', () => {
  for (const el of buffered.splice(0).reverse()) {
    const c = thread.comments.get(Number(el.dataset.id));
    if (c && placeTopLevel(el, c)) flash(el);
  }
  showNewBar();
  thread.root.scrollIntoView({ behavior: 'smooth', block: 'start' });
});

function setCount(n: number): void {
  countEl.textContent = String(n);
  const link = $('comments-link');
  if (link) link.textContent = t.commentsLink.replace('{n}', String(n));
}

function setClosed(closed: boolean): void {
  const form = document.getElementById('compose');
  let notice = $('closed-notice');
  if (form) form.hidden = closed;
  if (closed && !notice) {
    notice = Object.assign(document.createElement('p'), { id: 'closed-notice', className: 'closed-notice', textContent: t.closedNotice });
    $('form-slot')!.prepend(notice);
  }
  if (notice) notice.hidden = !closed;
  if (!closed && !form) location.reload();
}

function applyEvent(e: CommentEvent, kind: 'created' | 'updated' | 'removed'): void {
  if (e.article !== data.slug) return;
  sawSeq(e.seq);
  applyState(e.comment, e.id, e.seq, () => {
    setCount(e.count);
    if (kind === 'removed' || e.comment === null) {
      thread.remove(e.id, e.comment);
      showNewBar();
    } else thread.upsert(e.comment, 'live');
  });
}

async function reloadFirstPage(): Promise<void> {
  const page = await api<{ comments: CommentJson[]; nextCursor: string | null; remaining: number; seq: number; commentCount: number; commentsClosed: boolean }>(
    'GET',
    `/api/articles/${encodeURIComponent(data.slug)}/comments?sort=${sort}`,
  );
  buffered.length = 0;
  showNewBar();
  thread.clear();
  thread.appendPage(page.comments);
  coveredTo(page.seq);
  nextCursor = page.nextCursor;
  remaining = page.remaining;
  setCount(page.commentCount);
  setClosed(page.commentsClosed);
  syncLoadMore();
}

const socket = io({ transports: ['websocket', 'polling'], auth: ACK_AUTH });
sendAcks(socket);
startInbox({ socket, strings: t, slug: data.slug, formatTime: (iso) => time.relative(Date.parse(iso), Date.now()) });

function join(): void {
  seqs.joining();
  socket.emit('join', { article: data.slug, since: seqs.seq }, (r) => {
    if (!r.ok) {
      // Joins are rate limited (a reconnect storm): try again when the server says, until then the page still works.
      const retryAfter = (r.error.details as { retryAfter?: number } | undefined)?.retryAfter;
      const retrying = r.error.code === 'rate_limited' && retryAfter;
      seqs.joinFailed(retrying ? undefined : 3000);
      if (retrying) setTimeout(() => socket.connected && join(), retryAfter * 1000);
      return status(r.error.message);
    }
    status('');
    const d = r.data;
    presenceEl.textContent = t.presence.replace('{n}', String(d.presence));
    presenceEl.hidden = false;
    // Slow mode as of this join: a reader who (re)joins sees it without waiting for the next article:updated.
    heat.joined(d);
    if (d.reset) {
      void reloadFirstPage();
      return;
    }
    for (const ch of d.changes) {
      applyState(ch.comment, ch.id, ch.seq, () => {
        if (ch.comment === null) thread.remove(ch.id, null);
        else thread.upsert(ch.comment, 'live', false);
      });
    }
    coveredTo(d.seq);
    setCount(d.commentCount);
    setClosed(d.commentsClosed);
  });
}

const connection = watchConnection({
  status,
  presence: presenceEl,
  offlineText: t.offline,
  reconnect: () => socket.connect(),
});
socket.on('connect', () => {
  connection.connected();
  join();
});
socket.on('disconnect', () => connection.disconnected());
socket.on('comment:created', (e: CommentEvent) => applyEvent(e, 'created'));
socket.on('comment:updated', (e: CommentEvent) => applyEvent(e, 'updated'));
socket.on('comment:removed', (e: CommentEvent) => applyEvent(e, 'removed'));
socket.on('reaction:updated', (e: { seq: number; article: string; commentId: number; likes: number; liked?: boolean }) => {
  if (e.article !== data.slug) return;
  sawSeq(e.seq);
  if (seqs.acceptLikes(e.commentId, e.seq, e.likes)) thread.setLikes(e.commentId, e.likes, e.liked);
});
socket.on('seq:advanced', (e: SeqAdvanced) => {
  if (e.article === data.slug) sawSeq(e.seq);
});
socket.on('presence', (e: { count: number }) => {
  presenceEl.textContent = t.presence.replace('{n}', String(e.count));
  presenceEl.hidden = false;
});
// An embedded page's thread merged (console): its comments now live on the target's page.
socket.on('thread:merged', (e: ThreadMerged) => {
  if (e.article === data.slug) location.assign(`/articles/${encodeURIComponent(e.into)}`);
});
socket.on('article:updated', (e: { seq: number; article: string; commentsClosed: boolean; commentCount: number }) => {
  if (e.article !== data.slug) return;
  sawSeq(e.seq);
  setClosed(e.commentsClosed);
  setCount(e.commentCount);
});

const heat = wireHeat({ data, socket, thread, time, sawSeq });
const formEl = document.getElementById('compose') as HTMLFormElement | null;
const compose = formEl
  ? new Compose({
      data,
      form: formEl,
      onPosted(c) {
        thread.upsert(c, 'self');
        heat.posted();
        document.getElementById(`c-${c.id}`)?.scrollIntoView({ block: 'nearest' });
        // The first post created our identity, and for a reader who had none the cookie too (a page view sets
        // none): reconnect, so that the handshake carries it and this page joins its author's room.
        if (!hasIdentity) {
          hasIdentity = true;
          socket.disconnect();
          socket.connect();
        }
      },
    })
  : null;
wireActions(data, thread, compose);
startClock(data, time);
wireWriteBar();

// Sorting and paging without leaving the page (the links still work without JavaScript).
function syncLoadMore(): void {
  let more = $('load-more') as HTMLAnchorElement | null;
  if (!nextCursor) return void more?.remove();
  if (!more) {
    more = Object.assign(document.createElement('a'), { id: 'load-more', className: 'btn load-more' });
    thread.root.after(more);
  }
  // 加载更多（还有 N 条）: N top-level comments on the pages after the loaded ones.
  more.textContent = remaining > 0 ? t.loadMoreN.replace('{n}', String(remaining)) : t.loadMore;
  more.href = `?sort=${sort}&cursor=${encodeURIComponent(nextCursor)}#comments`;
}

document.addEventListener('click', (e) => {
  const a = (e.target as HTMLElement).closest<HTMLAnchorElement>('#load-more, .sort-link');
  // The replies page (展开 without JavaScript) pages its replies by plain links.
  if (!a || a.dataset.replies) return;
  e.preventDefault();
  const run = async () => {
    if (a.id === 'load-more') {
      a.textContent = t.loading;
      const page = await api<{ comments: CommentJson[]; nextCursor: string | null; remaining: number }>(
        'GET',
        `/api/articles/${encodeURIComponent(data.slug)}/comments?sort=${sort}&cursor=${encodeURIComponent(nextCursor ?? '')}`,
      );
      thread.appendPage(page.comments);
      nextCursor = page.nextCursor;
      remaining = page.remaining;
      syncLoadMore();
    } else {
      sort = a.dataset.sort as PageData['sort'];
      document.querySelectorAll('.sort-link').forEach((l) => {
        l.classList.toggle('is-current', l === a);
        if (l === a) l.setAttribute('aria-current', 'true');
        else l.removeAttribute('aria-current');
      });
      history.replaceState(null, '', `?sort=${sort}#comments`);
      await reloadFirstPage();
    }
  };
  run().catch((err) => status(describeError(err, t.errorGeneric)));
});
