// Owns the thread in the DOM: every comment rendered by the shared EJS template, placed where the
// server would place it, upserted by id (so a comment never shows twice), removed or turned placeholder.
import { renderCommentTemplate } from './comment-template.js';
import type { TimeFormat } from './time-format.js';
import type { CommentJson, PageData } from './types.js';

export interface ThreadOptions {
  data: PageData;
  root: HTMLOListElement;
  /** Decides what to do with a new top-level comment (the "N 条新评论" bar, quiet append, or skip). */
  onNewTopLevel(node: HTMLElement, c: CommentJson): void;
  /** A top-level comment was pinned or unpinned: it changes place. */
  onPinChanged(node: HTMLElement, c: CommentJson): void;
  /**
   * A comment's element is about to be replaced (by fresh, or by nothing when it is gone or can no longer
   * be answered): whoever placed something of their own inside it (the compose form) moves it now.
   */
  onDetach(old: HTMLElement, fresh: HTMLElement | null): void;
  time: TimeFormat;
}

export class Thread {
  private readonly data: PageData;
  readonly root: HTMLOListElement;
  private readonly onNewTopLevel: ThreadOptions['onNewTopLevel'];
  private readonly onPinChanged: ThreadOptions['onPinChanged'];
  private readonly onDetach: ThreadOptions['onDetach'];
  private readonly time: TimeFormat;
  /** Latest JSON per visible comment: re-renders keep what only this reader knows (liked). */
  readonly comments = new Map<number, CommentJson>();
  /** Per root: the last reply id loaded in thread order ("展开" continues after it). */
  readonly replyCursor = new Map<number, number>();

  constructor(o: ThreadOptions) {
    this.data = o.data;
    this.root = o.root;
    this.onNewTopLevel = o.onNewTopLevel;
    this.onPinChanged = o.onPinChanged;
    this.onDetach = o.onDetach;
    this.time = o.time;
  }

  render(c: CommentJson, more = 0): HTMLElement {
    const html = renderCommentTemplate({
      c,
      t: this.data.strings,
      nest: this.data.nest,
      tz: this.data.tz,
      now: Date.now(),
      time: this.time,
      more,
      childrenHtml: '',
    });
    const tpl = document.createElement('template');
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild as HTMLElement;
  }

  node(id: number): HTMLElement | null {
    // The root's own document or shadow root: the embed renders the thread inside a Shadow DOM.
    return (this.root.getRootNode() as Document | ShadowRoot).getElementById(`c-${id}`);
  }

  /** Indexes what the server rendered, so live events merge into it. */
  adopt(list: CommentJson[]): void {
    for (const c of list) {
      this.comments.set(c.id, { ...c, replies: undefined });
      for (const r of c.replies ?? []) this.comments.set(r.id, r);
      const last = c.replies?.[c.replies.length - 1];
      if (last) this.replyCursor.set(c.id, last.id);
    }
  }

  /** The reply list a comment goes into: its parent's, or past the nesting limit, the list its parent sits in. */
  private containerFor(c: CommentJson): HTMLElement | null {
    if (c.parentId === null) return this.root;
    const parent = this.node(c.parentId);
    if (!parent) return null;
    const depth = Number(parent.dataset.depth);
    if (depth < this.data.nest) return parent.querySelector(':scope > ol.replies');
    return parent.parentElement;
  }

  /**
   * Inserts or replaces a comment. `from` says who knows best: 'self' (our own request's response)
   * is authoritative for liked; a broadcast keeps the liked state this reader already has.
   */
  upsert(c: CommentJson, from: 'self' | 'live', highlight = true): void {
    const known = this.comments.get(c.id);
    const merged: CommentJson = from === 'live' && known ? { ...c, liked: known.liked, mine: c.mine || known.mine } : c;
    this.comments.set(c.id, { ...merged, replies: undefined });
    const existing = this.node(c.id);
    if (existing) {
      const fresh = this.render(merged);
      const oldReplies = existing.querySelector(':scope > ol.replies');
      const newReplies = fresh.querySelector(':scope > ol.replies');
      if (oldReplies && newReplies) newReplies.replaceWith(oldReplies);
      const more = existing.querySelector(':scope > .act-more-replies');
      if (more) fresh.append(more);
      this.carry(existing, fresh, merged);
      existing.replaceWith(fresh);
      if (c.parentId === null && known && known.pinned !== merged.pinned) this.onPinChanged(fresh, merged);
      return;
    }
    const el = this.render(merged);
    if (c.parentId === null) {
      this.onNewTopLevel(el, merged);
      return;
    }
    const container = this.containerFor(merged);
    if (!container) {
      this.bumpHidden(merged);
      return;
    }
    container.append(el);
    if (highlight) flash(el);
  }

  /**
   * A live update patches a comment in place: what a reader has open in it (an edit form, a report form,
   * the reply form and their text) moves into the fresh element, or, when the comment can no longer take
   * it, is dropped (edit, report) or handed back (the reply form, via onDetach).
   */
  private carry(old: HTMLElement, fresh: HTMLElement, c: CommentJson): void {
    const oldMain = old.querySelector(':scope > .comment-main');
    const freshMain = fresh.querySelector(':scope > .comment-main');
    const open = c.status === 'published' || (c.status === 'pending' && c.mine);
    const edit = oldMain?.querySelector<HTMLElement>(':scope > .edit-form');
    const content = freshMain?.querySelector<HTMLElement>(':scope > .comment-content');
    if (edit && content && c.mine && open) {
      content.hidden = true;
      content.after(edit);
    }
    for (const el of Array.from(oldMain?.querySelectorAll<HTMLElement>(':scope > .report-form, :scope > .form-notice') ?? [])) {
      if (c.status === 'published') freshMain?.append(el);
    }
    this.onDetach(old, c.status === 'published' ? fresh : null);
  }

  /** A reply whose parent is not on the page: count it on its root's "展开 N 条回复". */
  private bumpHidden(c: CommentJson): void {
    const root = c.rootId === null ? null : this.node(c.rootId);
    if (!root || c.status !== 'published') return;
    let btn = root.querySelector<HTMLAnchorElement>(':scope > .act-more-replies');
    const n = Number(btn?.dataset.remaining ?? 0) + 1;
    if (!btn) {
      btn = document.createElement('a');
      btn.href = `?replies=${root.dataset.id}#c-${root.dataset.id}`;
      btn.className = 'act act-more-replies';
      btn.dataset.act = 'more-replies';
      root.append(btn);
    }
    btn.dataset.remaining = String(n);
    btn.textContent = this.data.strings.expandReplies.replace('{n}', String(n));
  }

  /** Gone for good (null), or replaced by its placeholder. */
  remove(id: number, placeholder: CommentJson | null): void {
    if (placeholder) return this.upsert(placeholder, 'live', false);
    this.comments.delete(id);
    const el = this.node(id);
    if (el) this.onDetach(el, null);
    el?.remove();
  }

  /** Appends a page of top-level comments with their first replies, in server order. */
  appendPage(list: CommentJson[]): void {
    for (const c of list) {
      if (this.node(c.id)) continue;
      const loaded = (c.replies ?? []).filter((r) => r.status === 'published').length;
      this.comments.set(c.id, { ...c, replies: undefined });
      this.root.append(this.render(c, Math.max(0, c.replyCount - loaded)));
      for (const r of c.replies ?? []) this.upsert(r, 'self', false);
      const last = c.replies?.[c.replies.length - 1];
      if (last) this.replyCursor.set(c.id, last.id);
    }
  }

  setLikes(id: number, likes: number, liked?: boolean): void {
    const c = this.comments.get(id);
    if (c) {
      c.likes = likes;
      if (liked !== undefined) c.liked = liked;
    }
    const btn = this.node(id)?.querySelector<HTMLButtonElement>(':scope > .comment-main .act-like');
    if (!btn) return;
    const count = btn.querySelector<HTMLElement>('.like-count')!;
    count.textContent = String(likes);
    count.hidden = likes === 0;
    if (liked !== undefined) {
      btn.classList.toggle('is-on', liked);
      btn.setAttribute('aria-pressed', String(liked));
      btn.querySelector('.act-label')!.textContent = liked ? this.data.strings.liked : this.data.strings.like;
    }
  }

  clear(): void {
    this.onDetach(this.root, null);
    this.root.replaceChildren();
    this.comments.clear();
    this.replyCursor.clear();
  }
}

export function flash(el: HTMLElement): void {
  el.classList.add('is-new');
  setTimeout(() => el.classList.remove('is-new'), 2500);
}
