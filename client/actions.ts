// Owns the per-comment actions (点赞, 回复, 编辑, 删除 with an inline confirmation, 举报, 展开回复) through one
// delegated click handler.
import { api, describeError } from './api.js';
import { pageToast } from './notice.js';
import type { Compose } from './form.js';
import type { Thread } from './thread.js';
import type { CommentJson, PageData } from './types.js';

export function wireActions(data: PageData, thread: Thread, compose: Compose | null): void {
  const t = data.strings;
  thread.root.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLElement>('[data-act]');
    if (!btn || !thread.root.contains(btn)) return;
    const li = btn.closest<HTMLElement>('li.comment');
    if (!li) return;
    const id = Number(li.dataset.id);
    const act = btn.dataset.act;
    e.preventDefault();
    const run = async () => {
      switch (act) {
        case 'like': {
          const r = await api<{ id: number; likes: number; liked: boolean }>('POST', `/api/comments/${id}/like`);
          thread.setLikes(id, r.likes, r.liked);
          break;
        }
        case 'reply':
          compose?.replyTo({ id, authorName: thread.comments.get(id)?.authorName ?? '' });
          break;
        case 'delete':
          confirmDelete(btn);
          break;
        case 'delete-yes': {
          const r = await api<{ id: number; comment: CommentJson | null }>('DELETE', `/api/comments/${id}`);
          thread.remove(id, r.comment);
          break;
        }
        case 'delete-no': {
          const box = btn.closest('.delete-confirm');
          box?.previousElementSibling?.removeAttribute('hidden');
          (box?.previousElementSibling as HTMLElement | null)?.focus();
          box?.remove();
          break;
        }
        case 'edit':
          startEdit(li, id);
          break;
        case 'report':
          startReport(li, id);
          break;
        case 'more-replies':
          await moreReplies(li, id, btn);
          break;
      }
    };
    run().catch((err) => pageToast().show(describeError(err, t.errorGeneric, t.networkErrorAction), { ms: 8000 }));
  });

  /** 删除 turns into "确定删除？ 删除 / 不删了" in place, instead of the browser's confirm(). */
  function confirmDelete(btn: HTMLElement): void {
    if (btn.nextElementSibling?.classList.contains('delete-confirm')) return;
    const box = document.createElement('span');
    box.className = 'delete-confirm';
    box.setAttribute('role', 'group');
    const q = Object.assign(document.createElement('span'), { textContent: t.deleteConfirmInline });
    const yes = button(t.deleteYes, 'button', 'act act-danger');
    yes.dataset.act = 'delete-yes';
    const no = button(t.deleteNo, 'button', 'act');
    no.dataset.act = 'delete-no';
    box.append(q, ' ', yes, ' ', no);
    btn.hidden = true;
    btn.after(box);
    no.focus();
  }

  function startEdit(li: HTMLElement, id: number): void {
    const c = thread.comments.get(id);
    const content = li.querySelector<HTMLElement>(':scope > .comment-main > .comment-content');
    if (!c || !content || li.querySelector('.edit-form')) return;
    const form = document.createElement('form');
    form.className = 'edit-form';
    const area = document.createElement('textarea');
    area.value = c.body;
    area.rows = 4;
    area.maxLength = 5000;
    area.setAttribute('aria-label', t.bodyLabel);
    const save = button(t.save, 'submit', 'btn btn-primary');
    const cancel = button(t.cancel, 'button', 'btn btn-link');
    const err = document.createElement('p');
    err.className = 'form-error';
    err.setAttribute('role', 'alert');
    err.hidden = true;
    form.append(area, err, save, cancel);
    content.hidden = true;
    content.after(form);
    area.focus();
    cancel.addEventListener('click', () => {
      // The comment may have been re-rendered since: show whatever content now sits before the form.
      const now = form.previousElementSibling as HTMLElement | null;
      form.remove();
      if (now) now.hidden = false;
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      save.disabled = true;
      api<{ comment: CommentJson }>('PATCH', `/api/comments/${id}`, { body: area.value })
        .then(({ comment }) => {
          form.remove();
          thread.upsert(comment, 'self');
        })
        .catch((e2) => {
          err.textContent = describeError(e2, t.errorGeneric, t.networkErrorAction);
          err.hidden = false;
          save.disabled = false;
        });
    });
  }

  function startReport(li: HTMLElement, id: number): void {
    if (li.querySelector('.report-form')) return;
    const form = document.createElement('form');
    form.className = 'report-form';
    const label = document.createElement('label');
    label.textContent = t.reportReasons + ' ';
    const select = document.createElement('select');
    for (const [value, text] of [['spam', t.reportSpam], ['abuse', t.reportAbuse], ['off_topic', t.reportOffTopic], ['other', t.reportOther]]) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      select.append(o);
    }
    label.append(select);
    const send = button(t.report, 'submit', 'btn');
    const cancel = button(t.cancel, 'button', 'btn btn-link');
    form.append(label, send, cancel);
    li.querySelector(':scope > .comment-main')!.append(form);
    select.focus();
    cancel.addEventListener('click', () => form.remove());
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      api('POST', `/api/comments/${id}/report`, { reason: select.value })
        .then(() => {
          // This report may be the one that hides the comment: say it on the page too, not only inside it.
          pageToast().show(t.reportSent, { kind: 'notice', ms: 8000 });
          form.isConnected && form.replaceWith(Object.assign(document.createElement('p'), { className: 'form-notice', textContent: t.reportSent }));
        })
        .catch((e2) => {
          form.remove();
          pageToast().show(describeError(e2, t.errorGeneric, t.networkErrorAction), { ms: 8000 });
        });
    });
  }

  async function moreReplies(li: HTMLElement, id: number, btn: HTMLElement): Promise<void> {
    if (btn.getAttribute('aria-disabled') === 'true') return;
    btn.setAttribute('aria-disabled', 'true');
    const label = btn.textContent;
    btn.textContent = t.loading;
    try {
      const after = thread.replyCursor.get(id) ?? 0;
      const r = await api<{ replies: CommentJson[]; nextCursor: string | null }>('GET', `/api/comments/${id}/replies?after=${after}&limit=50`);
      let placed = 0;
      let first: HTMLElement | null = null;
      for (const c of r.replies) {
        if (thread.node(c.id)) continue;
        thread.upsert(c, 'self', false);
        first ??= thread.node(c.id);
        if (c.status === 'published') placed++;
      }
      // Focus goes to the first reply that appeared, not to <body> when the link goes away.
      if (first) {
        first.tabIndex = -1;
        first.focus();
      }
      if (r.replies.length) thread.replyCursor.set(id, r.replies[r.replies.length - 1].id);
      const remaining = Number(btn.dataset.remaining ?? 0) - placed;
      if (!r.nextCursor || remaining <= 0) {
        btn.remove();
        return;
      }
      btn.dataset.remaining = String(remaining);
      btn.textContent = t.expandReplies.replace('{n}', String(remaining));
    } catch (err) {
      btn.textContent = label;
      throw err;
    } finally {
      btn.removeAttribute('aria-disabled');
    }
  }
}

function button(text: string, type: 'submit' | 'button', cls: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = type;
  b.className = cls;
  b.textContent = text;
  return b;
}
