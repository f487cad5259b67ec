// Owns the compose box's helpers: a character counter that appears near the 5,000-character limit, and a
// preview rendered by the server's own renderer (js/body-render.js), so it shows exactly what will be stored.
import { normalizeBody, renderBody } from './body-render.js';
import type { PageData } from './types.js';

const LIMIT = 5000;
/** The counter shows from here on: earlier it is noise. */
const SHOW_FROM = 4500;

export function wireComposeExtras(body: HTMLTextAreaElement, data: PageData): void {
  const t = data.strings;
  const counter = Object.assign(document.createElement('p'), { className: 'char-counter', id: 'f-body-count' });
  counter.setAttribute('aria-live', 'polite');
  counter.hidden = true;
  body.after(counter);
  const update = () => {
    // The server counts characters (code points) after normalisation; this is close enough to warn.
    const n = Array.from(body.value.replace(/\r\n?/g, '\n').trim()).length;
    counter.hidden = n < SHOW_FROM;
    counter.classList.toggle('is-over', n > LIMIT);
    counter.textContent = n > LIMIT ? t.charsOver.replace('{n}', String(n - LIMIT)) : t.charsLeft.replace('{n}', String(LIMIT - n));
  };
  body.addEventListener('input', update);
  body.addEventListener('yl:refresh', update);
  // The browser's maxlength counts UTF-16 units, not characters: the server's rule is the one that counts.
  body.removeAttribute('maxlength');
  update();
  wirePreview(body, data);
}

/** A 预览 button under the box; while open, the preview follows the text as it is typed. */
function wirePreview(body: HTMLTextAreaElement, data: PageData): void {
  const t = data.strings;
  const panel = Object.assign(document.createElement('div'), { id: 'f-body-preview', className: 'compose-preview', hidden: true });
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', t.previewLabel);
  const content = Object.assign(document.createElement('div'), { className: 'comment-content' });
  panel.append(content);
  body.after(panel);
  const toggle = Object.assign(document.createElement('button'), { type: 'button', className: 'btn btn-link preview-toggle', textContent: t.preview });
  toggle.setAttribute('aria-controls', panel.id);
  toggle.setAttribute('aria-expanded', 'false');
  body.form?.querySelector('.form-actions')?.append(toggle);

  let frame = 0;
  const render = () => {
    frame = 0;
    const text = normalizeBody(body.value);
    // renderBody escapes every character of the text first, exactly as the server does at write time.
    if (text) content.innerHTML = renderBody(text);
    else content.textContent = t.previewEmpty;
  };
  const show = (open: boolean) => {
    panel.hidden = !open;
    toggle.textContent = open ? t.previewHide : t.preview;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) render();
  };
  toggle.addEventListener('click', () => show(panel.hidden));
  body.addEventListener('input', () => {
    if (!panel.hidden && !frame) frame = requestAnimationFrame(render);
  });
  // The form moved to another comment, or was sent: the preview starts closed again.
  body.addEventListener('yl:refresh', () => show(false));
}
