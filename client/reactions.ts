// Owns reactions on the page: the bar under each comment (counts, the reader's own pressed), the picker of the
// site's set, toggling through the API, live counts from reactions:updated, and a label where colour emoji
// cannot be drawn. Re-rendered comments (live updates) are decorated again as they appear.
import { describeError } from './api.js';
import { callOf, say, type HeatOptions } from './heat-shared.js';
import { NewestBySeq } from './seq-tracker.js';

const EMOJI: Record<string, string> = { agree: '👍', disagree: '👎', laugh: '😂', wow: '😮', sad: '😢', angry: '😡', heart: '❤️', think: '🤔' };

/** Whether this browser draws colour emoji (a monochrome or missing glyph has no coloured pixel). */
function colourEmoji(): boolean {
  try {
    const c = document.createElement('canvas');
    c.width = c.height = 16;
    const g = c.getContext('2d', { willReadFrequently: true });
    if (!g) return false;
    g.textBaseline = 'top';
    g.font = '14px sans-serif';
    g.fillText('😂', 0, 0);
    const d = g.getImageData(0, 0, 16, 16).data;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (Math.abs(d[i] - d[i + 1]) > 30 || Math.abs(d[i + 1] - d[i + 2]) > 30)) return true;
  } catch {
    /* no canvas: labels it is */
  }
  return false;
}

export function wireReactions(o: HeatOptions): void {
  const t = o.data.strings;
  const { thread, data } = o;
  const api = callOf(o);
  let kinds: string[] = [];
  const mine = new Map<number, Set<string>>();
  if (!colourEmoji()) (o.flagRoot ?? document.documentElement).classList.add('no-colour-emoji');

  const button = (id: number, kind: string, n: number) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'react';
    b.dataset.act = 'react';
    b.dataset.kind = kind;
    const on = mine.get(id)?.has(kind) ?? false;
    b.classList.toggle('is-on', on);
    b.setAttribute('aria-pressed', String(on));
    const emoji = Object.assign(document.createElement('span'), { className: 'react-emoji', textContent: EMOJI[kind] ?? '' });
    emoji.setAttribute('aria-hidden', 'true');
    b.append(emoji, Object.assign(document.createElement('span'), { className: 'react-label', textContent: t[`react_${kind}`] ?? kind }));
    if (n > 0) b.append(' ', Object.assign(document.createElement('span'), { className: 'react-count', textContent: String(n) }));
    return b;
  };

  /** Rebuilds one comment's bar: the kinds with counts, the reader's own, and the picker of the rest. */
  const paint = (id: number) => {
    const c = thread.comments.get(id);
    const bar = thread.node(id)?.querySelector<HTMLElement>(':scope > .comment-main > .reactions');
    if (!c || !bar || c.status !== 'published') return;
    const counts = c.reactions ?? {};
    const shown = Object.keys(counts).filter((k) => counts[k] > 0 && EMOJI[k]);
    const parts: HTMLElement[] = shown.map((k) => button(id, k, counts[k]));
    const rest = kinds.filter((k) => !shown.includes(k));
    // A repaint (the reader's own reactions arriving, a live count) keeps a picker the reader has open, open.
    const wasOpen = bar.querySelector<HTMLDetailsElement>(':scope > details.react-menu')?.open === true;
    if (rest.length) {
      const menu = document.createElement('details');
      menu.className = 'react-menu';
      menu.open = wasOpen;
      const summary = Object.assign(document.createElement('summary'), { className: 'react-add', textContent: '＋' });
      summary.setAttribute('aria-label', t.reactionAdd);
      summary.title = t.reactionAdd;
      const list = document.createElement('div');
      list.className = 'react-choices';
      list.append(...rest.map((k) => button(id, k, 0)));
      menu.append(summary, list);
      parts.push(menu);
    }
    bar.replaceChildren(...parts);
  };

  const paintAll = () => thread.comments.forEach((_c, id) => paint(id));
  /** Comments whose own reactions were asked for (or are being asked for). */
  const asked = new Set<number>();
  const more: number[] = [];
  let moreTimer: ReturnType<typeof setTimeout> | undefined;

  // Live re-renders put a fresh server-shaped bar in place: decorate it again.
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of Array.from(r.addedNodes)) {
        if (!(n instanceof HTMLElement)) continue;
        const items = n.matches('li.comment') ? [n, ...Array.from(n.querySelectorAll<HTMLElement>('li.comment'))] : Array.from(n.querySelectorAll<HTMLElement>('li.comment'));
        for (const li of items) {
          const id = Number(li.dataset.id);
          paint(id);
          if (!asked.has(id)) more.push(id);
        }
      }
    }
    // Comments that came in later (加载更多, 展开, live): their own reactions are asked for in one batch.
    if (more.length && !moreTimer) moreTimer = setTimeout(() => void load(more.splice(0)).catch(() => undefined), 300);
  }).observe(thread.root, { childList: true, subtree: true });

  async function load(ids: number[]): Promise<void> {
    moreTimer = undefined;
    for (let i = 0; i === 0 || i < ids.length; i += 200) {
      const batch = ids.slice(i, i + 200);
      for (const id of batch) asked.add(id);
      const r = await api<{ kinds: string[]; mine: Record<string, string[]> }>('GET', `/api/articles/${encodeURIComponent(data.slug)}/reactions?ids=${batch.join(',')}`);
      kinds = r.kinds;
      for (const [id, ks] of Object.entries(r.mine)) mine.set(Number(id), new Set(ks));
    }
    for (const id of ids.length ? ids : [...thread.comments.keys()]) paint(id);
  }

  // Every change carries its article seq: an older one arriving after a newer one (another node, a slow answer)
  // changes nothing. The page's counts are as of data.seq; the reader's own pressed state is kept per kind.
  const countsSeq = new NewestBySeq<number>(data.seq);
  const mineSeq = new NewestBySeq<string>(data.seq);
  const apply = (id: number, reactions: Record<string, number>, kind?: string, on?: boolean, seq?: number) => {
    const c = thread.comments.get(id);
    let changed = false;
    if (c && countsSeq.accept(id, seq)) {
      c.reactions = reactions;
      changed = true;
    }
    if (kind !== undefined && on !== undefined && mineSeq.accept(`${id}:${kind}`, seq)) {
      const set = mine.get(id) ?? new Set<string>();
      if (on) set.add(kind);
      else set.delete(kind);
      mine.set(id, set);
      changed = true;
    }
    if (changed) paint(id);
  };

  thread.root.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-act="react"]');
    if (!btn || !thread.root.contains(btn)) return;
    const li = btn.closest<HTMLElement>('li.comment');
    const kind = btn.dataset.kind;
    if (!li || !kind) return;
    const id = Number(li.dataset.id);
    // A choice closes the picker it was made in (later repaints keep an open one open).
    const menu = btn.closest<HTMLDetailsElement>('details.react-menu');
    if (menu) menu.open = false;
    btn.disabled = true;
    api<{ id: number; kind: string; on: boolean; reactions: Record<string, number>; seq?: number }>('POST', `/api/comments/${id}/reactions`, { kind })
      .then((r) => {
        btn.disabled = false;
        apply(id, r.reactions, r.kind, r.on, r.seq);
      })
      .catch((err) => {
        btn.disabled = false;
        btn.title = describeError(err, t.errorGeneric);
        say(o, btn.title);
      });
  });

  o.socket.on('reactions:updated', (e: { seq: number; article: string; commentId: number; reactions: Record<string, number>; kind?: string; on?: boolean }) => {
    if (e.article !== data.slug) return;
    o.sawSeq(e.seq);
    apply(e.commentId, e.reactions, e.kind, e.on, e.seq);
  });

  load([...thread.comments.keys()])
    .then(paintAll)
    .catch(() => undefined);
}
