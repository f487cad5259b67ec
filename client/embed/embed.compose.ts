// Owns the embed's compose form: posting (a first comment creates the page's thread and, for a reader
// without one, their author token), replies placed under their comment, and the sign-in link when required.
import { describeError } from '../api.js';
import type { CommentJson } from '../types.js';
import { canonicalUrl, type EmbedThread, type ThreadAnswer } from './embed.thread.js';
import { buildCompose, loginLink, type ComposeForm, type Skeleton } from './embed.view.js';

export function wireCompose(w: EmbedThread, ui: Skeleton, a: ThreadAnswer): ComposeForm | null {
  const t = a.meta.strings;
  if (a.site.ssoRequired && !a.viewer.signedIn) {
    ui.formSlot.replaceChildren(loginLink(t, a.site.loginUrl));
    return null;
  }
  const c = buildCompose(t, a.viewer.signedIn?.name ?? null);
  ui.formSlot.replaceChildren(c.form);
  c.cancelReply.addEventListener('click', () => w.replyTo(null));
  c.form.addEventListener('submit', (e) => {
    e.preventDefault();
    c.submit.disabled = true;
    c.error.hidden = true;
    const o = w.o;
    const body = { page: o.pageId, url: o.pageUrl ?? canonicalUrl(), title: o.pageTitle ?? document.title, authorName: a.viewer.signedIn ? '-' : c.name.value, body: c.body.value, parentId: w.replyParent };
    const hadToken = w.api.token !== null;
    w.api
      .call<{ comment: CommentJson; slug: string }>('POST', '/api/embed/comments', body)
      .then(({ comment }) => {
        c.body.value = '';
        w.replyTo(null);
        ui.empty.hidden = true;
        w.thread?.upsert(comment, 'self');
        w.tools?.posted();
        const wasThread = w.hasThread;
        w.hasThread = true;
        // A first comment made this reader an author (or this page a thread): reconnect so the handshake
        // carries the token and the join reaches the thread and the author's own room.
        if (!hadToken || !wasThread) w.reconnect();
      })
      .catch((err: unknown) => {
        Object.assign(c.error, { hidden: false, textContent: describeError(err, t.errorGeneric, t.networkError) });
        w.tools?.postFailed(err);
      })
      .finally(() => (c.submit.disabled = false));
  });
  return c;
}
