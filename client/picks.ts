// Owns the 精选 filter above the thread: a toggle that shows the article's picks (pinned first, then the newest
// pick) in place of the thread, and follows picks added or removed live while it is on.
import { describeError } from './api.js';
import { callOf, say, type HeatOptions } from './heat-shared.js';
import type { CommentEvent, CommentJson } from './types.js';

/** Where the filter goes: its toggle into `nav`, its list before `thread`; `around` is hidden while it is on. */
export interface PicksPlace {
  nav: Element | null;
  thread: HTMLElement;
  around: (HTMLElement | null)[];
}

const pagePlace = (): PicksPlace => ({
  nav: document.querySelector('.comments-header .sort'),
  thread: document.getElementById('thread')!,
  around: ['thread', 'load-more', 'empty'].map((id) => document.getElementById(id)),
});

export function wirePicks(o: HeatOptions, place: PicksPlace = pagePlace()): void {
  const t = o.data.strings;
  const api = callOf(o);
  const { nav } = place;
  if (!nav) return;
  const toggle = Object.assign(document.createElement('button'), { type: 'button', className: 'featured-filter', id: 'featured-filter', textContent: t.featuredFilter });
  toggle.setAttribute('aria-pressed', 'false');
  nav.append(toggle);
  let on = false;
  let list: HTMLOListElement | null = null;
  const hideAround = (hidden: boolean) => {
    for (const el of place.around) el?.classList.toggle('is-filtered-out', hidden);
  };

  /** A pick shown here is a copy: its ids are its own, and it carries no actions (those live in the thread). */
  const render = (c: CommentJson): HTMLElement => {
    const el = o.thread.render({ ...c, mine: false, editableUntil: null });
    el.id = `pick-${c.id}`;
    el.querySelectorAll('[id]').forEach((x) => x.removeAttribute('id'));
    el.querySelectorAll('.comment-actions, .replies, .act-more-replies').forEach((x) => x.remove());
    el.querySelectorAll('button').forEach((b) => (b.disabled = true));
    return el;
  };

  const load = async () => {
    const r = await api<{ comments: CommentJson[] }>('GET', `/api/articles/${encodeURIComponent(o.data.slug)}/featured`);
    if (!on) return;
    if (!list) {
      list = Object.assign(document.createElement('ol'), { className: 'thread featured-list', id: 'featured-list' });
      place.thread.before(list);
    }
    list.replaceChildren(...(r.comments.length ? r.comments.map(render) : [Object.assign(document.createElement('li'), { className: 'empty', textContent: t.featuredEmpty })]));
  };

  toggle.addEventListener('click', () => {
    on = !on;
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? t.featuredAll : t.featuredFilter;
    hideAround(on);
    if (!on) {
      list?.remove();
      list = null;
      return;
    }
    load().catch((err) => say(o, describeError(err, t.errorGeneric)));
  });

  // A pick added or removed (or a pick's comment changed or gone) while the filter is on: read the list again.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const changed = (e: CommentEvent) => {
    if (!on || e.article !== o.data.slug) return;
    const shown = Boolean(list?.querySelector(`#pick-${e.id}`));
    if (!shown && !e.comment?.featured) return;
    clearTimeout(pending);
    pending = setTimeout(() => void load().catch(() => undefined), 200);
  };
  for (const ev of ['comment:created', 'comment:updated', 'comment:removed']) o.socket.on(ev, changed);
}
