// Owns <yilun-count page-id="…">: every count on a host page in one batched request, then kept live over
// one shared socket watching those threads (count:updated).
import { io, type Socket } from 'socket.io-client';
import type { EmbedClient } from './embed.api.js';

const waiting = new Set<HTMLElement>();
let scheduled = false;
let socket: Socket | null = null;
const bySlug = new Map<string, Set<HTMLElement>>();

function show(el: HTMLElement, n: number): void {
  el.textContent = String(n);
  el.dataset.count = String(n);
}

/** Registers a count element; all registered in one task are fetched together. */
export function watchCount(el: HTMLElement, api: EmbedClient): void {
  waiting.add(el);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    const els = [...waiting].filter((e) => e.isConnected && e.getAttribute('page-id'));
    waiting.clear();
    const pages = [...new Set(els.map((e) => e.getAttribute('page-id')!))].slice(0, 100);
    if (!pages.length) return;
    const q = pages.map((p) => `page=${encodeURIComponent(p)}`).join('&');
    void api.call<{ counts: { page: string; slug: string; count: number }[] }>('GET', `/api/embed/counts?${q}`).then(({ counts }) => {
      for (const c of counts) {
        const set = bySlug.get(c.slug) ?? new Set<HTMLElement>();
        for (const e of els) if (e.getAttribute('page-id') === c.page) (set.add(e), (e.dataset.slug = c.slug), show(e, c.count));
        bySlug.set(c.slug, set);
      }
      live(api);
    });
  });
}

export function unwatchCount(el: HTMLElement): void {
  const set = el.dataset.slug ? bySlug.get(el.dataset.slug) : undefined;
  set?.delete(el);
  if (set && !set.size) bySlug.delete(el.dataset.slug!);
  if (!bySlug.size && socket) {
    socket.disconnect();
    socket = null;
  } else rewatch();
}

function rewatch(): void {
  // The answer holds counts as of the watch: whatever changed since the batched request shows.
  socket?.emit('embed:watch', { slugs: [...bySlug.keys()].slice(0, 100) }, (r: { ok: boolean; data?: { counts: Record<string, number> } }) => {
    for (const [slug, n] of Object.entries(r.ok ? r.data!.counts : {})) for (const el of bySlug.get(slug) ?? []) show(el, n);
  });
}

function live(api: EmbedClient): void {
  if (socket) return rewatch();
  socket = io(api.base, { transports: ['websocket', 'polling'], withCredentials: false });
  socket.on('connect', rewatch);
  socket.on('count:updated', (e: { article: string; count: number }) => {
    for (const el of bySlug.get(e.article) ?? []) show(el, e.count);
  });
  // A thread merged into another: its counts follow the target from now on.
  socket.on('thread:merged', (e: { article: string; into: string; count: number }) => {
    const moved = bySlug.get(e.article);
    if (!moved) return;
    bySlug.delete(e.article);
    const set = bySlug.get(e.into) ?? new Set<HTMLElement>();
    for (const el of moved) (set.add(el), (el.dataset.slug = e.into), show(el, e.count));
    bySlug.set(e.into, set);
    rewatch();
  });
}
