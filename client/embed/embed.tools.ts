// Owns the heated-thread tools and the reply inbox inside an embed's Shadow DOM: reactions, the "已编辑"
// history popover, the 精选 filter, slow mode, "N 人正在输入" and the "N 条新回复" badge. Each is the own
// page's module (client/reactions.ts, history.ts, picks.ts, heat.ts, inbox.ts) given the embed's places,
// its CORS client (the same paths under /api/embed, bearer or SSO identity) and its socket.
import type { Socket } from 'socket.io-client';
import { ApiError } from '../api.js';
import type { Call, HeatOptions } from '../heat-shared.js';
import { wireSlowMode, wireTyping, type SlowMode } from '../heat.js';
import { wireHistory } from '../history.js';
import { startInbox } from '../inbox.js';
import { wirePicks } from '../picks.js';
import { wireReactions } from '../reactions.js';
import type { TimeFormat } from '../time-format.js';
import type { Thread } from '../thread.js';
import type { PageData } from '../types.js';
import type { EmbedClient } from './embed.api.js';
import type { ComposeForm, Skeleton } from './embed.view.js';

export interface EmbedTools {
  /** The reader's post was accepted: the slow-mode countdown starts. */
  posted(): void;
  /** A post was refused: a slow_mode refusal starts the countdown of what the server said is left. */
  postFailed(err: unknown): void;
}

export interface ToolsInput {
  data: PageData;
  thread: Thread;
  time: TimeFormat;
  socket: Socket;
  api: EmbedClient;
  ui: Skeleton;
  compose: ComposeForm | null;
  sawSeq(seq: number): void;
  /** The https avatar the site's SSO token carried for the signed-in reader. */
  avatar?: string | null;
}

function span(className: string): HTMLSpanElement {
  return Object.assign(document.createElement('span'), { className });
}

/** An SSO avatar: https only, fixed size, no referrer sent to its host. */
export function avatarImg(src: string): HTMLImageElement {
  const img = Object.assign(document.createElement('img'), { className: 'avatar avatar-img', src, alt: '', width: 26, height: 26, referrerPolicy: 'no-referrer', loading: 'lazy' });
  return img;
}

export function wireEmbedTools(w: ToolsInput): EmbedTools {
  const { ui, data } = w;
  const t = data.strings;
  // The own page's paths, asked of the embed API: /api/comments/1/reactions -> /api/embed/comments/1/reactions.
  const call: Call = (method, url, body) => w.api.call(method, url.replace(/^\/api\//, '/api/embed/'), body);
  const say = (text: string) => Object.assign(ui.status, { textContent: text, hidden: false });
  const o: HeatOptions = { data, socket: w.socket, thread: w.thread, time: w.time, sawSeq: w.sawSeq, call, say, flagRoot: ui.wrap };

  const head = ui.wrap.querySelector<HTMLElement>('.head')!;
  const tools = span('tools');
  head.append(tools);
  wirePicks(o, { nav: tools, thread: ui.thread, around: [ui.thread, ui.more, ui.empty] });
  wireReactions(o);
  wireHistory(o);

  const box = Object.assign(document.createElement('p'), { className: 'slow-mode', hidden: true });
  const wait = span('slow-mode-wait');
  wait.setAttribute('role', 'status');
  box.append(span('slow-mode-rule'), ' ', wait);
  ui.formSlot.before(box);
  const slow: SlowMode = wireSlowMode(o, () => box, () => w.compose !== null && !data.commentsClosed);
  let typing: { posted(): void } | null = null;
  if (w.compose) {
    const form = w.compose.form;
    const who = form.querySelector('.signed-in');
    if (who && w.avatar && /^https:\/\/[^\s"'<>]+$/.test(w.avatar)) who.prepend(avatarImg(w.avatar), ' ');
    typing = wireTyping(o, w.compose.body, (bar) => form.append(bar));
  }

  startInbox({
    socket: w.socket,
    strings: t,
    slug: data.slug,
    formatTime: (iso) => w.time.relative(Date.parse(iso), Date.now()),
    header: head,
    call,
    href: (url) => w.api.base + url,
    mailOptIn: false,
  });
  // A reply on this very page: shown in place rather than on Yilun's own page of the thread.
  const here = `${w.api.base}/articles/${encodeURIComponent(data.slug)}#c-`;
  ui.wrap.addEventListener('click', (e) => {
    const link = (e.target as HTMLElement).closest<HTMLAnchorElement>('a.inbox-link');
    const node = link?.href.startsWith(here) ? w.thread.node(Number(link.href.slice(here.length))) : null;
    if (!node) return;
    e.preventDefault();
    node.scrollIntoView({ block: 'nearest' });
    node.querySelector<HTMLElement>('.comment-time')?.focus();
  });

  return {
    posted: () => {
      typing?.posted();
      slow.posted();
    },
    postFailed(err) {
      if (!(err instanceof ApiError) || err.body.code !== 'slow_mode') return;
      const d = err.body.details as { retryAfter?: number } | undefined;
      slow.posted(typeof d?.retryAfter === 'number' ? d.retryAfter : undefined);
    },
  };
}
