// Owns the queue list: loading a queue page by page for the article filter, the current entry and the
// selection, and merging live changes (entries arrive, change and leave in place). Actions: admin-queue-actions.ts.
import { call, fill, notifyError, S } from './admin-dom.js';
import { patchItem, renderItem } from './admin-item.js';
import type { Counts, QueueItem, QueueName } from './admin-types.js';
/** Review queues are first in, first out; the published and rejected lists show the newest first (as the server pages them). */
const ASCENDING: Record<QueueName, boolean> = { pending: true, reported: true, published: false, rejected: false };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class QueueView {
  queue: QueueName = 'pending';
  article = '';
  private items = new Map<number, QueueItem>();
  private selected = new Set<number>();
  private current: number | null = null;
  private nextCursor: string | null = null;
  /** Loads and live merges run one after another, so an older answer never lands after a newer one. */
  private chain: Promise<void> = Promise.resolve();
  private readonly list = $<HTMLOListElement>('queue');
  private readonly more = $<HTMLButtonElement>('queue-more');
  private readonly empty = $<HTMLElement>('queue-empty');
  private readonly selectAll = $<HTMLInputElement>('select-all');

  constructor(private readonly onCounts: (c: Counts) => void) {
    this.list.addEventListener('change', (e) => {
      const box = (e.target as HTMLElement).closest<HTMLInputElement>('input[data-act="select"]');
      if (box) this.setSelected(this.idOf(box)!, box.checked);
    });
    this.list.addEventListener('focusin', (e) => {
      const id = this.idOf(e.target as HTMLElement);
      if (id !== null) this.setCurrent(id, false);
    });
    this.more.addEventListener('click', () => this.run(() => this.load(false)));
    this.selectAll.addEventListener('change', () => {
      const on = this.selectAll.checked;
      for (const id of [...this.items.keys()]) this.setSelected(id, on);
    });
    $('bulk-clear').addEventListener('click', () => {
      for (const id of [...this.selected]) this.setSelected(id, false);
    });
  }

  private run(fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(fn).catch(notifyError);
    return this.chain;
  }

  idOf(el: HTMLElement): number | null {
    const li = el.closest<HTMLLIElement>('li.item');
    return li ? Number(li.dataset.id) : null;
  }

  el(id: number): HTMLLIElement | null {
    return document.getElementById(`item-${id}`) as HTMLLIElement | null;
  }

  /** Shows a queue from its first page. */
  show(queue: QueueName, article: string): Promise<void> {
    this.queue = queue;
    this.article = article;
    return this.run(() => this.load(true));
  }

  private async load(first: boolean): Promise<void> {
    this.list.setAttribute('aria-busy', 'true');
    this.more.textContent = S.loading;
    try {
      const page = await this.fetchPage(first ? null : this.nextCursor);
      if (first) this.reset();
      for (const item of page.items) this.place(item, 'end');
      this.nextCursor = page.nextCursor;
      this.onCounts(page.counts);
      if (first && this.current === null && page.items.length) this.setCurrent(page.items[0].comment.id, false);
    } finally {
      this.list.removeAttribute('aria-busy');
      this.more.textContent = S.loadMore;
      this.sync();
    }
  }

  private reset(): void {
    this.items.clear();
    this.selected.clear();
    this.current = null;
    this.nextCursor = null;
    this.list.replaceChildren();
  }

  private belongs(item: QueueItem): boolean {
    return item.queues.includes(this.queue) && (!this.article || item.article?.slug === this.article);
  }

  /** Puts an entry where the server's order would: at the end of a page, or among the loaded ones by id. */
  private place(item: QueueItem, where: 'end' | 'ordered'): void {
    const id = item.comment.id;
    this.items.set(id, item);
    const li = renderItem(item, this.selected.has(id));
    if (where === 'end') return void this.list.append(li);
    const asc = ASCENDING[this.queue];
    const before = [...this.list.children].find((c) => (asc ? Number((c as HTMLElement).dataset.id) > id : Number((c as HTMLElement).dataset.id) < id));
    this.list.insertBefore(li, before ?? null);
    li.classList.add('is-new');
    window.setTimeout(() => li.classList.remove('is-new'), 2000);
  }

  /** Merges the latest state of some comments: update what stays, drop what left, add what arrived. */
  apply(items: QueueItem[]): Promise<void> {
    return this.run(async () => this.merge(items));
  }

  /**
   * After a reconnect (or the first connect, which may come after the first page was read): catch up on
   * what changed meanwhile without clearing the list, so the current entry and the selection survive.
   */
  resync(): Promise<void> {
    return this.run(async () => {
      const page = await this.fetchPage(null);
      const onePage = this.nextCursor === null || this.items.size <= page.items.length;
      if (onePage) {
        const fresh = new Set(page.items.map((i) => i.comment.id));
        for (const id of [...this.items.keys()]) if (!fresh.has(id)) this.remove(id);
        this.nextCursor = null;
      } else {
        const shown = [...this.items.keys()].slice(0, 200);
        this.merge((await call<{ items: QueueItem[] }>('GET', `/api/admin/comments?ids=${shown.join(',')}`)).items);
      }
      this.merge(page.items);
      if (onePage) this.nextCursor = page.nextCursor;
      this.onCounts(page.counts);
      this.sync();
    });
  }

  private fetchPage(cursor: string | null) {
    const q = new URLSearchParams({ queue: this.queue, limit: '50' });
    if (this.article) q.set('article', this.article);
    if (cursor) q.set('cursor', cursor);
    return call<{ items: QueueItem[]; nextCursor: string | null; counts: Counts }>('GET', `/api/admin/queue?${q}`);
  }

  private merge(items: QueueItem[]): void {
    for (const item of items) {
      const id = item.comment.id;
      const el = this.el(id);
      if (!this.belongs(item)) {
        if (el) this.remove(id);
        continue;
      }
      if (el) {
        this.items.set(id, item);
        patchItem(el, item, this.selected.has(id));
        continue;
      }
      // Past the loaded pages the entry will come with "load more"; inside them it shows now.
      const cursor = this.nextCursor === null ? null : Number(this.nextCursor);
      if (cursor === null || (ASCENDING[this.queue] ? id < cursor : id > cursor)) this.place(item, 'ordered');
    }
    if (this.current === null && this.list.firstElementChild) this.setCurrent(Number((this.list.firstElementChild as HTMLElement).dataset.id), false);
    this.sync();
  }

  item(id: number): QueueItem | undefined {
    return this.items.get(id);
  }

  get currentId(): number | null {
    return this.current;
  }

  /** Selected entries still shown. */
  selectedIds(): number[] {
    return [...this.selected].filter((id) => this.items.has(id));
  }

  isSelected(id: number): boolean {
    return this.selected.has(id);
  }

  /** Ids shown now (to refresh after something that changes them without a queue event, e.g. a ban). */
  idsOfAuthor(authorId: number): number[] {
    return [...this.items.values()].filter((i) => i.author.id === authorId).map((i) => i.comment.id);
  }

  private remove(id: number): void {
    const el = this.el(id);
    if (this.current === id) {
      const next = (el?.nextElementSibling ?? el?.previousElementSibling) as HTMLElement | null;
      const hadFocus = !!el && el.contains(document.activeElement);
      this.current = null;
      if (next) this.setCurrent(Number(next.dataset.id), hadFocus);
    }
    el?.remove();
    this.items.delete(id);
    this.selected.delete(id);
  }

  private sync(): void {
    const n = this.items.size;
    this.empty.hidden = n > 0;
    this.more.hidden = this.nextCursor === null;
    const sel = this.selectedIds().length;
    $('selected-count').textContent = fill(S.selectedCount, { n: sel });
    ($('bulk-approve') as HTMLButtonElement).disabled = sel === 0;
    ($('bulk-reject') as HTMLButtonElement).disabled = sel === 0;
    ($('bulk-clear') as HTMLButtonElement).disabled = sel === 0;
    this.selectAll.checked = n > 0 && sel === n;
    this.selectAll.indeterminate = sel > 0 && sel < n;
  }

  setSelected(id: number, on: boolean): void {
    if (!this.items.has(id)) return;
    if (on) this.selected.add(id);
    else this.selected.delete(id);
    const el = this.el(id);
    el?.classList.toggle('is-selected', on);
    const box = el?.querySelector<HTMLInputElement>('input[data-act="select"]');
    if (box) box.checked = on;
    this.sync();
  }

  setCurrent(id: number, focus: boolean): void {
    if (this.current !== null) this.el(this.current)?.classList.remove('is-current');
    this.current = id;
    const el = this.el(id);
    el?.classList.add('is-current');
    if (focus && el) {
      el.focus();
      el.scrollIntoView({ block: 'nearest' });
    }
  }

  /** j / k: the next or previous entry becomes current and takes the focus. */
  move(delta: 1 | -1): void {
    const els = [...this.list.children] as HTMLElement[];
    if (els.length === 0) return;
    const at = els.findIndex((e) => Number(e.dataset.id) === this.current);
    const next = at < 0 ? 0 : Math.min(els.length - 1, Math.max(0, at + delta));
    this.setCurrent(Number(els[next].dataset.id), true);
  }
}
