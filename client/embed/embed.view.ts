// Owns the embed's DOM inside its Shadow DOM: the skeleton (heading, sorts, compose form or sign-in link,
// thread, load more) built with text nodes only, and the small inline forms (edit, delete confirm, report).
import type { PageData } from '../types.js';
import css from './embed.css';

export type Strings = PageData['strings'];

let sheet: CSSStyleSheet | undefined;

/** One constructed stylesheet for every embed on the page: no <style> for the host's CSP to refuse. */
function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

export interface Skeleton {
  wrap: HTMLDivElement;
  count: HTMLSpanElement;
  presence: HTMLSpanElement;
  status: HTMLParagraphElement;
  sorts: HTMLButtonElement[];
  formSlot: HTMLDivElement;
  thread: HTMLOListElement;
  empty: HTMLParagraphElement;
  more: HTMLButtonElement;
}

export function shadowOf(host: HTMLElement): ShadowRoot {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [styles()];
  root.replaceChildren();
  return root;
}

export function buildSkeleton(root: ShadowRoot, t: Strings, theme: string): Skeleton {
  const count = el('span', { className: 'comment-count' });
  const presence = el('span', { className: 'presence', hidden: true });
  const sorts = (['newest', 'oldest', 'top'] as const).map((s) =>
    el('button', { type: 'button', textContent: t[`sort${s[0].toUpperCase()}${s.slice(1)}`] }, ),
  );
  sorts.forEach((b, i) => (b.dataset.sort = ['newest', 'oldest', 'top'][i]));
  const nav = el('nav', { className: 'sort', ariaLabel: t.sortLabel }, ...sorts);
  const heading = el('h2', {}, t.commentsHeading, ' ', count);
  const status = el('p', { className: 'status', hidden: true });
  status.setAttribute('role', 'status');
  const formSlot = el('div', { className: 'form-slot' });
  const thread = el('ol', { className: 'thread' });
  const empty = el('p', { className: 'empty', textContent: t.noComments });
  const more = el('button', { type: 'button', className: 'btn load-more', textContent: t.loadMore, hidden: true });
  const wrap = el('div', { className: 'yl' }, el('header', { className: 'head' }, heading, presence, nav), status, formSlot, thread, empty, more, el('p', { className: 'foot', textContent: t.embedPowered }));
  wrap.lang = t.langTag;
  root.append(wrap);
  applyTheme(wrap, theme);
  return { wrap, count, presence, status, sorts, formSlot, thread, empty, more };
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

/** light, dark, or auto (follows prefers-color-scheme, also when it changes). Returns a stop function. */
export function applyTheme(wrap: HTMLElement, theme: string): () => void {
  const set = () => (wrap.dataset.theme = theme === 'dark' || (theme === 'auto' && darkQuery().matches) ? 'dark' : 'light');
  set();
  if (theme !== 'auto') return () => undefined;
  const q = darkQuery();
  q.addEventListener('change', set);
  return () => q.removeEventListener('change', set);
}

export interface ComposeForm {
  form: HTMLFormElement;
  name: HTMLInputElement;
  body: HTMLTextAreaElement;
  submit: HTMLButtonElement;
  error: HTMLParagraphElement;
  replying: HTMLSpanElement;
  cancelReply: HTMLButtonElement;
}

export function buildCompose(t: Strings, signedInAs: string | null): ComposeForm {
  const name = el('input', { type: 'text', name: 'authorName', maxLength: 40, required: true, autocomplete: 'nickname', placeholder: t.namePlaceholder });
  const body = el('textarea', { name: 'body', required: true, placeholder: t.bodyPlaceholder });
  const submit = el('button', { type: 'submit', className: 'btn btn-primary', textContent: t.submit });
  const error = el('p', { className: 'form-error', hidden: true });
  error.setAttribute('role', 'alert');
  const replying = el('span', { className: 'replying', hidden: true });
  const cancelReply = el('button', { type: 'button', className: 'btn-link act', textContent: t.cancelReply, hidden: true });
  const who = signedInAs ? el('p', { className: 'signed-in', textContent: t.embedSignedInAs.replace('{name}', signedInAs) }) : el('label', {}, t.nameLabel, name);
  const form = el('form', { className: 'compose' }, el('div', { className: 'row' }, replying, cancelReply), who, el('label', {}, t.bodyLabel, body), error, el('div', { className: 'row' }, submit));
  return { form, name, body, submit, error, replying, cancelReply };
}

export function loginLink(t: Strings, href: string | null): HTMLElement {
  const safe = href && /^https?:\/\//i.test(href) ? href : null;
  return safe ? el('a', { className: 'btn btn-primary login', href: safe, textContent: t.embedLogin, target: '_top' }) : el('p', { className: 'login', textContent: t.embedLogin });
}

export function editForm(t: Strings, text: string, onSave: (body: string) => Promise<void>, onClose: () => void): HTMLFormElement {
  const area = el('textarea', { value: text, name: 'body' });
  const err = el('p', { className: 'form-error', hidden: true });
  const form = el('form', { className: 'edit-form' }, area, el('button', { type: 'submit', className: 'btn btn-primary', textContent: t.save }), el('button', { type: 'button', className: 'btn', textContent: t.cancel, onclick: onClose }), err);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onSave(area.value).catch((x: Error) => Object.assign(err, { hidden: false, textContent: x.message }));
  });
  return form;
}

export function deleteConfirm(t: Strings, onYes: () => void, onNo: () => void): HTMLSpanElement {
  return el('span', { className: 'delete-confirm' }, t.deleteConfirmInline, ' ', el('button', { type: 'button', className: 'act act-danger', textContent: t.deleteYes, onclick: onYes }), el('button', { type: 'button', className: 'act', textContent: t.deleteNo, onclick: onNo }));
}
