// Owns what a reader does to comments inside an embed: like, reply, edit and delete their own, report,
// more replies, sort and load more; each through the embed API, the result applied at once.
import { describeError } from '../api.js';
import type { CommentJson } from '../types.js';
import type { EmbedClient } from './embed.api.js';
import type { EmbedThread } from './embed.thread.js';
import { deleteConfirm, editForm, type Skeleton } from './embed.view.js';

export function wireEmbedActions(w: EmbedThread, ui: Skeleton, api: EmbedClient): () => void {
  const t = w.data!.strings;
  const say = (err: unknown) => {
    ui.status.textContent = describeError(err, t.errorGeneric, t.networkErrorAction);
    ui.status.hidden = false;
  };
  const onClick = (e: Event) => {
    const target = e.target as HTMLElement;
    const sortBtn = target.closest<HTMLButtonElement>('.sort button');
    if (sortBtn) return w.setSort(sortBtn.dataset.sort as 'newest');
    if (target === ui.more) return void w.more().catch(say);
    const act = target.closest<HTMLElement>('[data-act]');
    const li = act?.closest<HTMLElement>('li.comment');
    if (!act || !li) return;
    e.preventDefault();
    const id = Number(li.dataset.id);
    const main = li.querySelector<HTMLElement>(':scope > .comment-main')!;
    switch (act.dataset.act) {
      case 'like':
        api.call<{ likes: number; liked: boolean }>('POST', `/api/embed/comments/${id}/like`).then((r) => w.thread?.setLikes(id, r.likes, r.liked), say);
        break;
      case 'reply':
        w.replyTo(li);
        break;
      case 'edit': {
        if (main.querySelector('.edit-form')) return;
        const content = main.querySelector<HTMLElement>('.comment-content')!;
        const c = w.thread!.comments.get(id);
        const close = () => {
          form.remove();
          content.hidden = false;
        };
        const form = editForm(t, c?.body ?? '', async (body) => {
          const r = await api.call<{ comment: CommentJson }>('PATCH', `/api/embed/comments/${id}`, { body });
          w.thread!.upsert(r.comment, 'self');
        }, close);
        content.hidden = true;
        content.after(form);
        break;
      }
      case 'delete': {
        const box = deleteConfirm(
          t,
          () => api.call<{ id: number; comment: CommentJson | null }>('DELETE', `/api/embed/comments/${id}`).then((r) => w.thread!.remove(id, r.comment), say),
          () => box.replaceWith(act),
        );
        act.replaceWith(box);
        break;
      }
      case 'report':
        api.call('POST', `/api/embed/comments/${id}/report`, { reason: 'other' }).then(() => act.replaceWith(t.reportSent), say);
        break;
      case 'more-replies': {
        const after = w.thread!.replyCursor.get(id) ?? 0;
        api.call<{ replies: CommentJson[]; nextCursor: string | null }>('GET', `/api/embed/comments/${id}/replies?after=${after}`).then((r) => {
          for (const c of r.replies) w.thread!.upsert(c, 'self', false);
          const last = r.replies[r.replies.length - 1];
          if (last) w.thread!.replyCursor.set(id, last.id);
          if (!r.nextCursor) act.remove();
        }, say);
        break;
      }
    }
  };
  ui.wrap.addEventListener('click', onClick);
  return () => ui.wrap.removeEventListener('click', onClick);
}
