// Owns the console's article filter: its options follow the articles the server has, including articles
// added after the console was opened (asked again whenever the filter or the window gets focus).
import { call } from './admin-dom.js';
import type { AdminArticle } from './admin-types.js';

export function keepFilterFresh(filter: HTMLSelectElement, onList?: (list: AdminArticle[]) => void): { sync(list: { slug: string; title: string }[]): void } {
  let asking = false;

  /** Rebuilds the options after "all articles", in the server's order, keeping the choice. */
  const sync = (list: { slug: string; title: string }[]) => {
    const shown = Array.from(filter.options).slice(1);
    // Unchanged: leave the options alone (replacing them would close a list the moderator has open).
    if (shown.length === list.length && list.every((a, i) => shown[i].value === a.slug && shown[i].textContent === a.title)) return;
    const chosen = filter.value;
    const all = filter.options[0];
    const options = list.map((a) => Object.assign(document.createElement('option'), { value: a.slug, textContent: a.title }));
    // A chosen article the server no longer lists stays chosen (its queue is still what is shown).
    if (chosen && !list.some((a) => a.slug === chosen)) {
      const kept = Array.from(filter.options).find((o) => o.value === chosen);
      if (kept) options.push(kept);
    }
    filter.replaceChildren(all, ...options);
    filter.value = chosen;
  };

  const refresh = () => {
    if (asking) return;
    asking = true;
    call<{ articles: AdminArticle[] }>('GET', '/api/admin/articles')
      .then((r) => {
        sync(r.articles);
        onList?.(r.articles);
      })
      .catch(() => undefined)
      .finally(() => {
        asking = false;
      });
  };

  filter.addEventListener('focus', refresh);
  window.addEventListener('focus', refresh);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && refresh());
  return { sync };
}
