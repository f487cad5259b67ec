// Owns the compose box's "以编辑身份发表" option: shown only when the server says this viewer is a
// signed-in moderator (asked the first time the form gets focus, so the cached page stays the same for
// everyone). The badge itself is decided by the server from the session, whatever the request says.
import { api } from './api.js';
import type { PageData } from './types.js';

/** Returns whether the next post asks to go out as staff. */
export function wireStaffOption(form: HTMLFormElement, data: PageData): () => boolean {
  let box: HTMLInputElement | null = null;
  const ask = async () => {
    const r = await api<{ badge: 'author' | 'editor' | null }>('GET', `/api/articles/${encodeURIComponent(data.slug)}/staff`);
    if (!r.badge || box) return;
    box = Object.assign(document.createElement('input'), { type: 'checkbox', id: 'f-staff', name: 'asStaff' });
    const label = Object.assign(document.createElement('label'), { className: 'staff-option', htmlFor: 'f-staff' });
    const badge = Object.assign(document.createElement('span'), {
      className: `badge badge-staff badge-${r.badge}`,
      textContent: r.badge === 'author' ? data.strings.authorBadge : data.strings.staffBadge,
    });
    label.append(box, document.createTextNode(data.strings.postAsStaff), badge);
    form.querySelector('.form-actions')?.append(label);
  };
  form.addEventListener('focusin', () => void ask().catch(() => undefined), { once: true });
  return () => box?.checked === true;
}
