// Owns the "已编辑" popover: a click lists the comment's earlier versions (escaped by the server like any
// comment) with when each was written and replaced, through the site's one time formatter.
import { describeError } from './api.js';
import { callOf, type HeatOptions } from './heat-shared.js';

interface Revisions {
  id: number;
  editedAt: string | null;
  revisions: { html: string; writtenAt: string; replacedAt: string }[];
}

export function wireHistory(o: HeatOptions): void {
  const t = o.data.strings;
  const api = callOf(o);
  const fill = (s: string, time: string) => s.replace('{time}', () => time);

  const close = (pop: Element) => {
    pop.closest('li.comment')?.querySelector(':scope > .comment-main .comment-edited')?.setAttribute('aria-expanded', 'false');
    pop.remove();
  };

  const open = async (btn: HTMLElement, li: HTMLElement) => {
    const main = li.querySelector<HTMLElement>(':scope > .comment-main')!;
    const existing = main.querySelector(':scope > .history-pop');
    if (existing) return close(existing);
    const id = Number(li.dataset.id);
    const pop = document.createElement('section');
    pop.className = 'history-pop';
    pop.setAttribute('role', 'dialog');
    pop.setAttribute('aria-label', t.historyTitle);
    const head = Object.assign(document.createElement('header'), { className: 'history-head' });
    const closeBtn = Object.assign(document.createElement('button'), { type: 'button', className: 'history-close', textContent: t.historyClose });
    closeBtn.addEventListener('click', () => {
      close(pop);
      btn.focus();
    });
    head.append(Object.assign(document.createElement('strong'), { textContent: t.historyTitle }), closeBtn);
    pop.append(head);
    main.querySelector(':scope > .comment-meta')!.after(pop);
    btn.setAttribute('aria-expanded', 'true');
    try {
      const h = await api<Revisions>('GET', `/api/comments/${id}/revisions`);
      const list = document.createElement('ol');
      list.className = 'history-list';
      for (const r of h.revisions) {
        const item = document.createElement('li');
        const when = `${fill(t.historyWritten, o.time.full(Date.parse(r.writtenAt)))} · ${fill(t.historyReplaced, o.time.full(Date.parse(r.replacedAt)))}`;
        const body = document.createElement('div');
        body.className = 'history-body';
        // Server-rendered from the stored text with the comment renderer: escaped like any comment.
        body.innerHTML = r.html;
        item.append(Object.assign(document.createElement('p'), { className: 'history-when', textContent: when }), body);
        list.append(item);
      }
      const current = document.createElement('li');
      current.className = 'history-current';
      const edited = h.editedAt ? o.time.full(Date.parse(h.editedAt)) : '';
      current.append(Object.assign(document.createElement('p'), { className: 'history-when', textContent: `${t.historyCurrent} · ${fill(t.historyWritten, edited)}` }));
      list.append(current);
      pop.append(h.revisions.length ? list : Object.assign(document.createElement('p'), { className: 'history-empty', textContent: t.historyEmpty }));
    } catch (err) {
      pop.append(Object.assign(document.createElement('p'), { className: 'history-empty', textContent: describeError(err, t.errorGeneric) }));
    }
  };

  o.thread.root.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLElement>('[data-act="history"]');
    const li = btn?.closest<HTMLElement>('li.comment');
    if (!btn || !li || !o.thread.root.contains(btn)) return;
    void open(btn, li);
  });
  // In a Shadow DOM (the embed) the thread listens itself: nothing is left on the host's document.
  const keys: Node = o.thread.root.getRootNode() instanceof ShadowRoot ? o.thread.root : document;
  keys.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key !== 'Escape') return;
    const pop = o.thread.root.querySelector('.history-pop');
    if (pop) close(pop);
  });
}
