// Owns <yilun-recent limit="5">: the site's newest published comments for a sidebar, each linking to its
// page, rendered as text only in the element's Shadow DOM.
import type { EmbedClient } from './embed.api.js';
import { shadowOf } from './embed.view.js';

interface Recent {
  id: number;
  title: string;
  pageUrl: string | null;
  authorName: string;
  excerpt: string;
}

export async function renderRecent(host: HTMLElement, api: EmbedClient): Promise<void> {
  const limit = Math.min(20, Math.max(1, Number(host.getAttribute('limit')) || 5));
  const { comments } = await api.call<{ comments: Recent[] }>('GET', `/api/embed/recent?limit=${limit}`);
  const root = shadowOf(host);
  const list = document.createElement('ol');
  list.className = 'yl recent';
  if (host.getAttribute('theme') === 'dark') list.dataset.theme = 'dark';
  for (const c of comments) {
    const li = document.createElement('li');
    const who = Object.assign(document.createElement('b'), { textContent: c.authorName });
    const text = Object.assign(document.createElement('span'), { textContent: c.excerpt.length >= 200 ? `${c.excerpt}…` : c.excerpt });
    // pageUrl is the normalized http(s) URL on one of the site's own origins (server/embed/embed.pages.ts).
    const page = c.pageUrl ? Object.assign(document.createElement('a'), { href: c.pageUrl, textContent: c.title }) : Object.assign(document.createElement('i'), { textContent: c.title });
    li.append(who, '：', text, ' — ', page);
    list.append(li);
  }
  root.append(list);
}
