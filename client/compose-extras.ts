// Owns the compose box's helpers: a character counter that appears near the 5,000-character limit.
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
}
