// Owns one embedded live thread: loads the page's thread (none until its first comment), joins its room
// with catch-up from the last seq it saw, applies every event once, and tears everything down on destroy.
import { io, type Socket } from 'socket.io-client';
import { describeError } from '../api.js';
import { flash, Thread } from '../thread.js';
import { refreshTimes } from '../time.js';
import { timeFormat } from '../time-format.js';
import type { Ack, CommentEvent, CommentJson, PageData } from '../types.js';
import { EmbedClient } from './embed.api.js';
import { wireEmbedActions } from './embed.actions.js';
import { applyTheme, buildSkeleton, shadowOf, type ComposeForm, type Skeleton } from './embed.view.js';
import { wireCompose } from './embed.compose.js';
import { wireEmbedTools, type EmbedTools } from './embed.tools.js';

export interface EmbedOptions {
  pageId?: string;
  pageUrl?: string;
  pageTitle?: string;
  lang?: string;
  theme?: 'light' | 'dark' | 'auto';
  sort?: 'newest' | 'oldest' | 'top';
  /** The host site's signed SSO token for its signed-in user. */
  sso?: string;
}

export interface ThreadAnswer {
  page: { key: string; slug: string };
  thread: { comments: CommentJson[]; nextCursor: string | null; seq: number; commentCount: number; commentsClosed: boolean; slowModeSeconds?: number } | null;
  site: { name: string; ssoRequired: boolean; loginUrl: string | null };
  viewer: { signedIn: { name: string; avatar: string | null } | null };
  meta: { strings: PageData['strings']; timeZone: string; nest: number; tz: number };
}

interface JoinResult {
  seq: number;
  presence: number;
  commentCount: number;
  commentsClosed: boolean;
  reset: boolean;
  changes: { seq: number; id: number; comment: CommentJson | null }[];
}

export class EmbedThread {
  o: EmbedOptions;
  readonly api: EmbedClient;
  private socket: Socket | null = null;
  private ui: Skeleton | null = null;
  thread: Thread | null = null;
  data: PageData | null = null;
  private slug = '';
  private seq = 0;
  hasThread = false;
  private nextCursor: string | null = null;
  private stops: (() => void)[] = [];
  private generation = 0;

  constructor(private readonly host: HTMLElement, readonly base: string, options: EmbedOptions) {
    this.o = { ...options };
    this.api = new EmbedClient(base, options.sso ?? null);
    void this.load();
  }

  update(options: EmbedOptions): void {
    this.teardown();
    this.o = { ...this.o, ...options };
    this.api.sso = this.o.sso ?? null;
    void this.load();
  }

  destroy(): void {
    this.teardown();
    this.host.shadowRoot?.replaceChildren();
  }

  private teardown(): void {
    this.generation++;
    this.stops.splice(0).forEach((f) => f());
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  private query(extra = ''): string {
    const q = new URLSearchParams();
    if (this.o.pageId) q.set('page', this.o.pageId);
    q.set('url', this.o.pageUrl ?? canonicalUrl());
    if (this.o.lang === 'en' || this.o.lang === 'zh-CN') q.set('lang', this.o.lang);
    q.set('sort', this.o.sort ?? 'newest');
    return `/api/embed/thread?${q}${extra}`;
  }

  private async load(): Promise<void> {
    const gen = this.generation;
    const root = shadowOf(this.host);
    let a: ThreadAnswer;
    try {
      a = await this.api.call<ThreadAnswer>('GET', this.query());
    } catch (err) {
      if (gen === this.generation) root.replaceChildren(Object.assign(document.createElement('p'), { textContent: describeError(err, 'Yilun: error') }));
      return;
    }
    if (gen !== this.generation) return;
    const t = a.meta.strings;
    const ui = (this.ui = buildSkeleton(root, t, this.o.theme ?? 'light'));
    this.stops.push(applyTheme(ui.wrap, this.o.theme ?? 'light'));
    this.slug = a.page.slug;
    this.data = { slug: a.page.slug, seq: a.thread?.seq ?? 0, sort: this.o.sort ?? 'newest', nextCursor: null, remaining: 0, slowModeSeconds: a.thread?.slowModeSeconds ?? 0, commentCount: 0, commentsClosed: a.thread?.commentsClosed ?? false, hasIdentity: false, nest: a.meta.nest, tz: a.meta.tz, timeZone: a.meta.timeZone, strings: t, comments: [] };
    const time = timeFormat(a.meta.timeZone, t);
    this.thread = new Thread({
      data: this.data,
      root: ui.thread,
      time,
      onNewTopLevel: (node, c) => this.placeTop(node, c),
      onPinChanged: (node) => ui.thread.prepend(node),
      onDetach: (old, fresh) => this.compose && old.contains(this.compose.form) && (fresh ? fresh.querySelector(':scope > .comment-main')?.after(this.compose.form) : this.replyTo(null)),
    });
    for (const b of ui.sorts) b.setAttribute('aria-pressed', String(b.dataset.sort === (this.o.sort ?? 'newest')));
    this.applyPage(a.thread);
    this.compose = wireCompose(this, ui, a);
    this.stops.push(wireEmbedActions(this, ui, this.api));
    const tick = setInterval(() => this.data && refreshTimes(ui.thread, this.data, time), 15_000);
    this.stops.push(() => clearInterval(tick));
    this.connect();
    this.tools = wireEmbedTools({ data: this.data, thread: this.thread, time, socket: this.socket!, api: this.api, ui, compose: this.compose, sawSeq: (seq) => this.saw(seq), avatar: a.viewer.signedIn?.avatar });
  }

  /** Reactions, history, picks, slow mode, typing and the reply inbox (embed.tools.ts). */
  tools: EmbedTools | null = null;
  compose: ComposeForm | null = null;
  replyParent: number | null = null;

  replyTo(parent: HTMLElement | null): void {
    const c = this.compose;
    if (!c || !this.ui) return;
    this.replyParent = parent ? Number(parent.dataset.id) : null;
    const name = parent?.querySelector(':scope > .comment-main .comment-author')?.textContent ?? '';
    c.replying.textContent = parent ? this.data!.strings.replyTo.replace('{name}', name) : '';
    c.replying.hidden = c.cancelReply.hidden = !parent;
    if (parent) parent.querySelector(':scope > .comment-main')!.after(c.form);
    else this.ui.formSlot.append(c.form);
    if (parent) c.body.focus();
  }

  private placeTop(node: HTMLElement, c: CommentJson): void {
    const ui = this.ui!;
    ui.empty.hidden = true;
    const sort = this.o.sort ?? 'newest';
    if (c.pinned || sort === 'newest') {
      const first = ui.thread.querySelector(':scope > li.comment:not(.is-pinned)');
      if (first) first.before(node);
      else ui.thread.append(node);
    }
    if (!node.isConnected) ui.thread.prepend(node);
    if (sort !== 'newest' && !c.pinned) {
      if (this.nextCursor !== null) return void node.remove();
      ui.thread.append(node);
    }
    flash(node);
  }

  applyPage(p: ThreadAnswer['thread'], append = false): void {
    const ui = this.ui!;
    this.hasThread = p !== null;
    if (!append) this.thread!.clear();
    this.thread!.appendPage(p?.comments ?? []);
    this.nextCursor = p?.nextCursor ?? null;
    ui.more.hidden = this.nextCursor === null;
    if (!append) {
      this.seq = p?.seq ?? 0;
      this.setCount(p?.commentCount ?? 0);
    }
    ui.empty.hidden = this.thread!.comments.size > 0;
  }

  async more(): Promise<void> {
    const a = await this.api.call<ThreadAnswer>('GET', this.query(`&cursor=${encodeURIComponent(this.nextCursor ?? '')}`));
    this.applyPage(a.thread, true);
  }

  setSort(sort: EmbedOptions['sort']): void {
    this.update({ sort });
  }

  private setCount(n: number): void {
    if (this.ui) this.ui.count.textContent = this.data!.strings.commentCount.replace('{n}', String(n));
  }

  private status(text: string): void {
    if (!this.ui) return;
    this.ui.status.textContent = text;
    this.ui.status.hidden = text === '';
  }

  reconnect(): void {
    this.socket?.disconnect();
    this.socket?.connect();
  }

  private connect(): void {
    const s = (this.socket = io(this.base, {
      transports: ['websocket', 'polling'],
      withCredentials: false,
      // Read at every (re)connect: the token a first post created rides on the next handshake.
      auth: (cb) => cb(this.api.sso ? { sso: this.api.sso } : this.api.token ? { token: this.api.token } : {}),
    }));
    const ui = this.ui!;
    const t = this.data!.strings;
    s.on('connect', () => {
      ui.presence.classList.remove('is-stale');
      this.status('');
      this.join();
    });
    s.on('disconnect', () => {
      ui.presence.classList.add('is-stale');
      this.status(t.offline);
    });
    s.on('connect_error', (err: Error) => this.status(err.message));
    // As on Yilun's own page (client/connection.ts): the browser's offline event is shown at once (the socket
    // only notices after missed pings), and coming back online reconnects now, not at the next back-off step.
    const offline = () => {
      ui.presence.classList.add('is-stale');
      this.status(t.offline);
    };
    const online = () => {
      if (!s.connected) this.reconnect();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    this.stops.push(() => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    });
    s.on('comment:created', (e: CommentEvent) => this.applyEvent(e));
    s.on('comment:updated', (e: CommentEvent) => this.applyEvent(e));
    s.on('comment:removed', (e: CommentEvent) => this.applyEvent(e));
    s.on('reaction:updated', (e: { seq: number; article: string; commentId: number; likes: number; liked?: boolean }) => {
      if (e.article !== this.slug || e.seq <= this.seq) return;
      this.saw(e.seq);
      this.thread?.setLikes(e.commentId, e.likes, e.liked);
    });
    s.on('seq:advanced', (e: { seq: number; article: string }) => e.article === this.slug && this.saw(e.seq));
    s.on('article:updated', (e: { seq: number; article: string; commentCount: number }) => {
      if (e.article !== this.slug) return;
      this.saw(e.seq);
      this.setCount(e.commentCount);
    });
    s.on('presence', (e: { count: number }) => {
      ui.presence.textContent = t.presence.replace('{n}', String(e.count));
      ui.presence.hidden = false;
    });
    // The console merged this thread into another: the page now resolves to that one.
    s.on('thread:merged', (e: { article: string }) => e.article === this.slug && this.update({}));
    // The page's thread did not exist yet: its first comment (by anyone) makes it, then we join it.
    s.on('count:updated', (e: { article: string }) => {
      if (e.article === this.slug && !this.hasThread) {
        this.hasThread = true;
        this.join();
      }
    });
  }

  private gapTimer: ReturnType<typeof setTimeout> | undefined;

  /** Events arrive in seq order; one past a gap asks for a catch-up join shortly (the gap may still fill). */
  private saw(seq: number): void {
    if (seq <= this.seq) return;
    if (seq === this.seq + 1) {
      this.seq = seq;
      return;
    }
    clearTimeout(this.gapTimer);
    this.gapTimer = setTimeout(() => this.join(), 300);
    this.stops.push(() => clearTimeout(this.gapTimer));
  }

  private applyEvent(e: CommentEvent): void {
    // Already applied (a catch-up join answered it before its live event arrived): an older state never goes
    // over a newer one, and an unchanged comment is not drawn again (that would close an open picker).
    if (e.article !== this.slug || e.seq <= this.seq) return;
    this.saw(e.seq);
    this.setCount(e.count);
    if (e.comment === null) this.thread?.remove(e.id, null);
    else if (e.comment.status === 'deleted' || e.comment.status === 'removed' || e.comment.status === 'hidden') this.thread?.remove(e.id, e.comment);
    else this.thread?.upsert(e.comment, 'live');
    this.ui!.empty.hidden = (this.thread?.comments.size ?? 0) > 0;
  }

  private join(): void {
    const s = this.socket;
    if (!s?.connected) return;
    const gen = this.generation;
    if (!this.hasThread) {
      s.emit('embed:watch', { slugs: [this.slug] }, (r: Ack<{ counts: Record<string, number> }>) => {
        // Its first comment came while we were connecting: join it now.
        if (gen === this.generation && r.ok && this.slug in r.data.counts && !this.hasThread) {
          this.hasThread = true;
          this.join();
        }
      });
      return;
    }
    s.emit('join', { article: this.slug, since: this.seq }, (r: Ack<JoinResult>) => {
      if (gen !== this.generation) return;
      if (!r.ok) return this.status(r.error.message);
      const d = r.data;
      this.ui!.presence.textContent = this.data!.strings.presence.replace('{n}', String(d.presence));
      this.ui!.presence.hidden = false;
      if (d.reset) return void this.update({});
      for (const ch of d.changes) {
        if (ch.comment === null) this.thread?.remove(ch.id, null);
        else this.thread?.upsert(ch.comment, 'live', false);
      }
      this.seq = Math.max(this.seq, d.seq);
      this.setCount(d.commentCount);
      this.ui!.empty.hidden = (this.thread?.comments.size ?? 0) > 0;
    });
  }
}

/** The page's canonical URL (<link rel=canonical>), else its address; the server normalizes it. */
export function canonicalUrl(): string {
  const link = document.querySelector<HTMLLinkElement>('link[rel=canonical]');
  return link?.href || location.href;
}
