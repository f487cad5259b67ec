// Owns times that change while the page is open: relative comment times ("5 分钟前") and the edit
// window ("还可编辑 3 分钟"; the edit button goes when the window ends). One tick for the whole page.
import { timeFormat, type TimeFormat } from './time-format.js';
import type { PageData } from './types.js';

export function siteTime(data: PageData): TimeFormat {
  return timeFormat(data.timeZone, data.strings);
}

/** Rewrites every relative time and edit countdown under root; returns how long until it matters again. */
export function refreshTimes(root: ParentNode, data: PageData, time: TimeFormat, now = Date.now()): void {
  for (const el of Array.from(root.querySelectorAll<HTMLTimeElement>('time[data-ts]'))) {
    const text = time.relative(Number(el.dataset.ts), now);
    if (el.textContent !== text) el.textContent = text;
  }
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('.edit-left[data-until]'))) {
    const left = Math.ceil((Number(el.dataset.until) - now) / 60_000);
    if (left > 0) {
      el.textContent = data.strings.editTimeLeft.replace('{n}', String(left));
      continue;
    }
    el.closest('.comment-actions')?.querySelector('.act-edit')?.remove();
    el.remove();
  }
}

export function startClock(data: PageData, time: TimeFormat): void {
  const tick = () => refreshTimes(document, data, time);
  setInterval(tick, 15_000);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && tick());
}
