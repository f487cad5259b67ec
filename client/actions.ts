// Owns the per-comment actions (点赞, 回复, 编辑, 删除, 举报, 展开回复) through one delegated click handler.
import { api, describeError } from './api.js';
import type { Compose } from './form.js';
import type { Thread } from './thread.js';
import type { CommentJson, PageData } from './types.js';

export function wireActions(data: PageData, thread: Thread, compose: Compose | null, status: (msg: string) => void): void {
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
          if (!confirm(t.confirmDelete)) return;
          {
            const r = await api<{ id: number; comment: CommentJson | null }>('DELETE', `/api/comments/${id}`);
            thread.remove(id, r.comment);
          }
          break;
        case 'edit':
          startEdit(li, id);
          break;
        case 'report':
          startReport(li, id);
          break;
        case 'more-replies':
          await moreReplies(li, id, btn as HTMLButtonElement);
          break;
      }
    };
    run().catch((err) => status(describeError(err, t.errorGeneric)));
  });

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
      form.remove();
      content.hidden = false;
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      save.disabled = true;
      api<{ comment: CommentJson }>('PATCH', `/api/comments/${id}`, { body: area.value })
        .then(({ comment }) => thread.upsert(comment, 'self'))
        .catch((e2) => {
          err.textContent = describeError(e2, t.errorGeneric);
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
          form.replaceWith(Object.assign(document.createElement('p'), { className: 'form-notice', textContent: t.reportSent }));
        })
        .catch((e2) => {
          form.remove();
          status(describeError(e2, t.errorGeneric));
        });
    });
  }

  async function moreReplies(li: HTMLElement, id: number, btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    const label = btn.textContent;
    btn.textContent = t.loading;
    try {
      const after = thread.replyCursor.get(id) ?? 0;
      const r = await api<{ replies: CommentJson[]; nextCursor: string | null }>('GET', `/api/comments/${id}/replies?after=${after}&limit=50`);
      let placed = 0;
      for (const c of r.replies) {
        if (thread.node(c.id)) continue;
        thread.upsert(c, 'self', false);
        if (c.status === 'published') placed++;
      }
      if (r.replies.length) thread.replyCursor.set(id, r.replies[r.replies.length - 1].id);
      const remaining = Number(btn.dataset.remaining ?? 0) - placed;
      if (!r.nextCursor || remaining <= 0) {
        btn.remove();
        li.querySelector<HTMLElement>(':scope > ol.replies > li')?.focus();
        return;
      }
      btn.dataset.remaining = String(remaining);
      btn.textContent = t.expandReplies.replace('{n}', String(remaining));
    } catch (err) {
      btn.textContent = label;
      throw err;
    } finally {
      btn.disabled = false;
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
