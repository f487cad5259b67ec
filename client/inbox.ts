// Owns the page's reply inbox and mail opt-in: the "N 条新回复" badge (updated live by reply:received), the
// small panel listing replies across articles (mark read, jump to the comment), and, when the site can send
// mail, the "有人回复时邮件通知我" box under the compose form (POST /api/subscriptions, double opt-in).
import type { InboxEntry } from '../contracts/api';
import { api as pageApi, describeError } from './api.js';
import type { Call } from './heat-shared.js';


interface InboxAnswer {
  unread: number;
  items: InboxEntry[];
  mailAvailable: boolean;
}

interface InboxOptions {
  socket: { on(event: string, fn: (...args: never[]) => void): void };
  strings: Record<string, string>;
  slug: string;
  formatTime: (iso: string) => string;
  /** The embed's: its Shadow DOM header, its CORS client, links to Yilun's origin, no mail opt-in box. */
  header?: Element | null;
  call?: Call;
  href?: (url: string) => string;
  mailOptIn?: boolean;
}

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  // textContent only: every name and excerpt is reader-written.
  if (text !== undefined) e.textContent = text;
  return e;
}

export function startInbox(o: InboxOptions): void {
  const t = o.strings;
  const header = o.header === undefined ? document.querySelector('.comments-header') : o.header;
  if (!header) return;
  const api = o.call ?? pageApi;
  let unread = 0;
  let items: InboxEntry[] = [];

  const badge = el('button', 'inbox-badge');
  badge.type = 'button';
  badge.id = 'inbox-badge';
  badge.hidden = true;
  badge.setAttribute('aria-expanded', 'false');
  badge.setAttribute('aria-controls', 'inbox-panel');
  const panel = el('div', 'inbox-panel');
  panel.id = 'inbox-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', t.inboxTitle);
  header.append(badge);
  header.after(panel);

  const render = () => {
    badge.textContent = fill(t.inboxBadge, { n: unread });
    badge.hidden = unread === 0 && panel.hidden;
    panel.replaceChildren();
    const head = el('div', 'inbox-head');
    head.append(el('strong', '', t.inboxTitle));
    const markAll = el('button', 'btn btn-link', t.inboxMarkAll);
    markAll.type = 'button';
    markAll.addEventListener('click', () => void markRead(null));
    const close = el('button', 'btn btn-link', t.inboxClose);
    close.type = 'button';
    close.addEventListener('click', () => toggle(false));
    head.append(markAll, close);
    panel.append(head);
    if (!items.length) panel.append(el('p', 'inbox-empty', t.inboxEmpty));
    const list = el('ul', 'inbox-list');
    for (const it of items) {
      const li = el('li', it.read ? 'inbox-item' : 'inbox-item is-unread');
      const a = el('a', 'inbox-link');
      a.href = o.href ? o.href(it.url) : it.url;
      a.append(el('span', 'inbox-author', it.authorName), el('span', 'inbox-where', ` ${fill(t.inboxIn, { title: it.article.title })} · ${o.formatTime(it.createdAt)}`));
      a.append(el('span', 'inbox-excerpt', it.excerpt));
      a.addEventListener('click', () => {
        if (!it.read) void markRead([it.id]);
      });
      li.append(a);
      list.append(li);
    }
    panel.append(list);
  };

  const toggle = (open: boolean) => {
    panel.hidden = !open;
    badge.setAttribute('aria-expanded', String(open));
    render();
  };
  badge.addEventListener('click', () => toggle(panel.hidden));

  async function markRead(ids: number[] | null): Promise<void> {
    const r = await api<{ unread: number }>('POST', '/api/me/replies/read', ids ? { ids } : {}).catch(() => null);
    if (!r) return;
    unread = r.unread;
    items = items.map((i) => (ids === null || ids.includes(i.id) ? { ...i, read: true } : i));
    render();
  }

  o.socket.on('reply:received', (e: { unread: number; reply: InboxEntry }) => {
    unread = e.unread;
    items = [e.reply, ...items.filter((i) => i.id !== e.reply.id)].slice(0, 50);
    render();
  });

  void api<InboxAnswer>('GET', '/api/me/replies')
    .then((r) => {
      unread = r.unread;
      items = r.items;
      render();
      if (r.mailAvailable && o.mailOptIn !== false) mountOptIn(o);
    })
    .catch(() => undefined);
}

/** The opt-in box under the compose form; the address is sent once and never shown back. */
function mountOptIn(o: InboxOptions): void {
  const t = o.strings;
  const api = o.call ?? pageApi;
  const compose = document.getElementById('compose');
  if (!compose || document.getElementById('notify-optin')) return;
  const box = el('details', 'notify-optin');
  box.id = 'notify-optin';
  box.append(el('summary', '', t.notifyMe));
  const form = el('form', 'notify-form');
  form.noValidate = true;
  const email = el('input', 'notify-email');
  email.type = 'email';
  email.name = 'email';
  email.required = true;
  email.maxLength = 254;
  email.autocomplete = 'email';
  email.placeholder = t.notifyEmail;
  email.setAttribute('aria-label', t.notifyEmail);
  const scope = el('select', 'notify-scope');
  scope.name = 'scope';
  for (const [value, label] of [['replies', t.notifyScopeReplies], ['thread', t.notifyScopeThread]]) {
    const opt = el('option', '', label);
    opt.value = value;
    scope.append(opt);
  }
  const submit = el('button', 'btn', t.notifySubmit);
  submit.type = 'submit';
  const note = el('p', 'notify-note');
  note.setAttribute('role', 'status');
  form.append(email, scope, submit, note);
  box.append(form);
  compose.after(box);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    api<{ confirmed: boolean }>('POST', '/api/subscriptions', { email: email.value.trim(), scope: scope.value, article: o.slug })
      .then((r) => {
        note.textContent = r.confirmed ? t.notifyActive : t.notifySent;
        email.value = '';
      })
      .catch((err: unknown) => {
        note.textContent = describeError(err, t.errorGeneric, t.networkErrorAction);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
}
