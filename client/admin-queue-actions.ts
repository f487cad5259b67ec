// Owns what a moderator does to queue entries: approve, reject (with an optional reason), restore, pin,
// unpin, ban the author, bulk approve/reject of the selection, and the keyboard verbs a / r / x.
import { busy, call, fill, notify, S } from './admin-dom.js';
import { allowed } from './admin-item.js';
import type { QueueView } from './admin-queue.js';
import type { QueueItem } from './admin-types.js';

type Action = 'approve' | 'reject' | 'restore' | 'pin' | 'unpin' | 'feature' | 'unfeature';

const DONE: Record<Action, string> = { approve: S.approved, reject: S.rejected, restore: S.restored, pin: S.pinned, unpin: S.unpinned, feature: S.featured, unfeature: S.unfeatured };
const SINGLE = new Set<string>(['approve', 'restore', 'pin', 'unpin', 'feature', 'unfeature']);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class QueueActions {
  /** Entries with an action on its way: a repeated key press must not send it twice. */
  private inFlight = new Set<number>();

  constructor(private readonly view: QueueView, private readonly refreshCounts: () => void) {
    const list = $<HTMLOListElement>('queue');
    list.addEventListener('click', (e) => this.onClick(e));
    list.addEventListener('submit', (e) => this.onSubmit(e));
    list.addEventListener('keydown', (e) => {
      const form = (e.target as HTMLElement).closest<HTMLFormElement>('form[data-form]');
      if (form && e.key === 'Escape') {
        e.preventDefault();
        this.closeForm(form);
      }
    });
    $('bulk-approve').addEventListener('click', (e) => void this.bulk('approve', e.currentTarget as HTMLButtonElement));
    $('bulk-reject').addEventListener('click', (e) => void this.bulk('reject', e.currentTarget as HTMLButtonElement));
  }

  /** The keyboard's verbs act on the current entry. */
  key(k: 'a' | 'r' | 'x' | 'p' | 'b' | 'u'): void {
    const id = this.view.currentId;
    const item = id === null ? undefined : this.view.item(id);
    if (id === null || !item) return;
    const can = allowed(item);
    if (k === 'x') return this.view.setSelected(id, !this.view.isSelected(id));
    if (k === 'a' && can.approve) void this.act(id, 'approve', undefined, null);
    if (k === 'r' && can.reject) this.openForm(id, 'reject');
    if (k === 'p' && (can.pin || can.unpin)) void this.act(id, can.pin ? 'pin' : 'unpin', undefined, null);
    if (k === 'b') this.openForm(id, 'ban');
    if (k === 'u' && can.restore) void this.act(id, 'restore', undefined, null);
  }

  private openForm(id: number, which: 'reject' | 'ban'): void {
    const el = this.view.el(id);
    const form = el?.querySelector<HTMLFormElement>(`form[data-form="${which}"]`);
    if (!el || !form) return;
    for (const f of el.querySelectorAll<HTMLFormElement>('form[data-form]')) if (f !== form) this.closeForm(f, false);
    form.hidden = false;
    el.querySelector(`[data-act="${which}-open"]`)?.setAttribute('aria-expanded', 'true');
    form.querySelector<HTMLInputElement>('input[type="text"]')?.focus();
  }

  private closeForm(form: HTMLFormElement, refocus = true): void {
    form.hidden = true;
    form.reset();
    const li = form.closest<HTMLLIElement>('li.item');
    li?.querySelector(`[data-act="${form.dataset.form}-open"]`)?.setAttribute('aria-expanded', 'false');
    if (refocus) li?.focus();
  }

  private onClick(e: Event): void {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
    const id = b ? this.view.idOf(b) : null;
    if (!b || id === null) return;
    const act = b.dataset.act!;
    if (act === 'reject-open') return this.openForm(id, 'reject');
    if (act === 'ban-open') return this.openForm(id, 'ban');
    if (act === 'close-form') return this.closeForm(b.closest('form')!);
    if (SINGLE.has(act)) void this.act(id, act as Action, undefined, b);
  }

  private onSubmit(e: SubmitEvent): void {
    const form = (e.target as HTMLElement).closest<HTMLFormElement>('form[data-form]');
    const id = form ? this.view.idOf(form) : null;
    if (!form || id === null) return;
    e.preventDefault();
    const fd = new FormData(form);
    const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (form.dataset.form === 'reject') return void this.act(id, 'reject', String(fd.get('reason') ?? '').trim() || undefined, submit);
    void busy(submit, async (owner) => {
      const minutes = String(fd.get('duration') ?? '');
      const r = await call<{ removed: number }>('POST', '/api/admin/bans', {
        commentId: id,
        scope: String(fd.get('scope') ?? 'author'),
        reason: String(fd.get('reason') ?? '').trim(),
        ...(minutes ? { durationMinutes: Number(minutes) } : {}),
        removeComments: fd.get('removeComments') !== null,
      });
      notify(fill(S.banDone, { n: r.removed }), 'ok', owner);
      this.closeForm(form);
      // The ban shows on every entry of this author; removed comments also arrive as queue:changed.
      const author = this.view.item(id)?.author.id;
      const ids = author === undefined ? [id] : this.view.idsOfAuthor(author);
      const fresh = await call<{ items: QueueItem[] }>('GET', `/api/admin/comments?ids=${ids.slice(0, 200).join(',')}`);
      await this.view.apply(fresh.items);
    });
  }

  async act(id: number, action: Action, reason: string | undefined, b: HTMLButtonElement | null): Promise<void> {
    if (this.inFlight.has(id)) return;
    this.inFlight.add(id);
    await busy(b, async (owner) => {
      const r = await call<{ item: QueueItem }>('POST', `/api/admin/comments/${id}/${action}`, reason ? { reason } : {});
      notify(DONE[action], 'ok', owner);
      await this.view.apply([r.item]);
      this.refreshCounts();
    }).finally(() => this.inFlight.delete(id));
  }

  private async bulk(action: 'approve' | 'reject', b: HTMLButtonElement): Promise<void> {
    const ids = this.view.selectedIds();
    if (ids.length === 0) return;
    const reasonInput = $<HTMLInputElement>('bulk-reason');
    const reason = action === 'reject' ? reasonInput.value.trim() : '';
    await busy(b, async (owner) => {
      let ok = 0;
      // The API takes up to 200 ids a request.
      for (let i = 0; i < ids.length; i += 200) {
        const part = ids.slice(i, i + 200);
        const r = await call<{ results: { id: number; ok: boolean }[] }>('POST', '/api/admin/comments/bulk', { ids: part, action, ...(reason ? { reason } : {}) });
        ok += r.results.filter((x) => x.ok).length;
        for (const id of part) this.view.setSelected(id, false);
        await this.view.apply((await call<{ items: QueueItem[] }>('GET', `/api/admin/comments?ids=${part.join(',')}`)).items);
      }
      notify(fill(S.bulkDone, { ok, failed: ids.length - ok }), ok === ids.length ? 'ok' : 'error', owner);
      if (action === 'reject') reasonInput.value = '';
      this.refreshCounts();
    });
  }
}
