// Owns one queue entry in the DOM: the comment (its server-sanitized html is the only HTML inserted),
// its article, parent, author context, why it is queued, its actions and its reject and ban forms.
import { fill, h, S, statusLabel, timeEl } from './admin-dom.js';
import type { QueueItem, ReportSummary } from './admin-types.js';

const HELD: Record<string, string> = {
  pre_moderation: S.heldPreModeration,
  first_time_link: S.heldFirstTimeLink,
  too_many_links: S.heldTooManyLinks,
  suspect_word: S.heldSuspectWord,
  spam_suspected: S.heldSpamSuspected,
  reports: S.heldReports,
  edited_after_approval: S.heldEditedAfterApproval,
};

const REPORT: Record<ReportSummary['reason'], string> = {
  spam: S.reportSpam,
  abuse: S.reportAbuse,
  off_topic: S.reportOffTopic,
  other: S.reportOther,
};

export const heldLabel = (code: string): string => HELD[code] ?? fill(S.heldUnknown, { code });

/** What a moderator may do to the comment in its current state (mirrors moderation.service's checks). */
export function allowed(item: QueueItem) {
  const c = item.comment;
  return {
    approve: c.status === 'pending' || (c.status === 'published' && c.reportsOpen > 0),
    reject: c.status === 'pending' || c.status === 'published',
    restore: c.status === 'rejected',
    pin: c.status === 'published' && c.parentId === null && !c.pinned,
    unpin: c.status === 'published' && c.parentId === null && c.pinned,
    feature: c.status === 'published' && !c.featured,
    unfeature: c.status === 'published' && c.featured === true,
  };
}

const btn = (act: string, label: string, cls = '', extra: Record<string, string | boolean> = {}) =>
  h('button', { type: 'button', class: `btn btn-small ${cls}`.trim(), 'data-act': act, ...extra }, label);

function head(item: QueueItem, selected: boolean): HTMLElement {
  const c = item.comment;
  const id = `item-${c.id}-author`;
  return h(
    'header',
    { class: 'item-head', 'data-part': 'head' },
    h('input', { type: 'checkbox', class: 'item-select', 'data-act': 'select', 'aria-label': fill(S.selectItem, { name: c.authorName }), checked: selected }),
    h('strong', { class: 'item-author', id }, h('bdi', {}, c.authorName)),
    h('span', { class: `badge badge-status is-${c.status}` }, statusLabel(c.status)),
    c.pinned && h('span', { class: 'badge badge-pinned' }, S.pinnedBadge),
    c.featured && h('span', { class: 'badge badge-featured' }, S.featuredBadge),
    c.editedAt && h('span', { class: 'badge badge-edited' }, S.editedBadge),
    timeEl(c.createdAt),
    h('span', { class: 'item-meta' }, fill(S.commentMeta, { id: c.id, likes: c.likes, replies: c.replyCount })),
    item.article &&
      h(
        'span',
        { class: 'item-article' },
        S.articleLabel,
        h('a', { href: `/articles/${encodeURIComponent(item.article.slug)}${c.status === 'published' ? `#c-${c.id}` : ''}`, target: '_blank', rel: 'noopener' }, item.article.title),
      ),
  );
}

function reasons(item: QueueItem): HTMLElement | null {
  const { heldReason, reports } = item.reasons;
  const note = item.comment.moderationNote;
  if (!heldReason && reports.length === 0 && !note) return null;
  return h(
    'div',
    { class: 'item-reasons', 'data-part': 'reasons' },
    heldReason && h('p', { class: 'reason-held' }, S.whyHeld, h('span', { class: 'chip', 'data-held': heldReason }, heldLabel(heldReason))),
    reports.length > 0 &&
      h(
        'div',
        { class: 'reason-reports' },
        h('p', {}, S.reportsHeading, reports.map((r) => h('span', { class: 'chip chip-report' }, fill(S.reportEntry, { reason: REPORT[r.reason] ?? r.reason, n: r.count })))),
        h('ul', { class: 'report-notes' }, reports.flatMap((r) => r.notes.map((n) => h('li', {}, h('span', { class: 'note-reason' }, REPORT[r.reason] ?? r.reason), h('q', {}, n))))),
      ),
    note && h('p', { class: 'item-note' }, fill(S.moderationNote, { note })),
  );
}

function parent(item: QueueItem): HTMLElement | null {
  const p = item.parent;
  if (!p) return null;
  return h(
    'blockquote',
    { class: 'item-parent', 'data-part': 'parent' },
    h('span', { class: 'parent-author' }, fill(S.replyTo, { name: p.authorName })),
    p.body,
    p.status !== 'published' && h('span', { class: 'parent-status' }, fill(S.parentGone, { status: statusLabel(p.status) })),
  );
}

/** The texts an edit replaced, newest first, as text (never HTML): what the moderator approved is among them. */
function revisions(item: QueueItem): HTMLElement | null {
  if (item.revisions.length === 0) return null;
  return h(
    'details',
    { class: 'item-revisions', 'data-part': 'revisions', open: item.comment.status === 'pending' },
    h('summary', {}, S.previousVersions),
    h(
      'ol',
      {},
      item.revisions.map((r) =>
        h('li', {}, timeEl(r.replacedAt), ' ', h('span', { class: `badge badge-status is-${r.status}` }, statusLabel(r.status)), ' ', h('span', { class: 'revision-body' }, r.body)),
      ),
    ),
  );
}

function content(item: QueueItem): HTMLElement {
  const div = h('div', { class: 'comment-content item-content', 'data-part': 'content' });
  // The server renders comment bodies to a fixed, sanitized subset of HTML (comments.render.ts).
  div.innerHTML = item.comment.html;
  return div;
}

function author(item: QueueItem): HTMLElement {
  const { ban, recent } = item.author;
  const banLine = ban
    ? ban.expiresAt === null
      ? fill(S.bannedForever, { reason: ban.reason })
      : fill(S.bannedUntil, { time: timeEl(ban.expiresAt).textContent!, reason: ban.reason })
    : S.notBanned;
  return h(
    'div',
    { class: 'item-author-info', 'data-part': 'author' },
    h('p', { class: ban ? 'ban-state is-banned' : 'ban-state' }, banLine),
    item.author.mailSubscribed ? h('p', { class: 'mail-state' }, S.authorHasMail) : null,
    h(
      'details',
      { class: 'item-recent' },
      h('summary', {}, fill(S.authorRecent, { n: recent.length })),
      recent.length === 0
        ? h('p', { class: 'muted' }, S.noRecent)
        : h('ul', {}, recent.map((r) => h('li', {}, timeEl(r.createdAt), ' ', h('span', { class: `badge badge-status is-${r.status}` }, statusLabel(r.status)), ' ', h('span', { class: 'recent-body' }, r.body)))),
    ),
  );
}

function actions(item: QueueItem): HTMLElement {
  const can = allowed(item);
  return h(
    'div',
    { class: 'item-actions', 'data-part': 'actions' },
    can.approve && btn('approve', S.approve, 'btn-ok'),
    can.reject && btn('reject-open', S.reject, 'btn-danger', { 'aria-expanded': 'false', 'aria-controls': `reject-${item.comment.id}` }),
    can.restore && btn('restore', S.restore, 'btn-ok'),
    can.pin && btn('pin', S.pin),
    can.unpin && btn('unpin', S.unpin),
    can.feature && btn('feature', S.feature),
    can.unfeature && btn('unfeature', S.unfeature),
    btn('ban-open', S.ban, '', { 'aria-expanded': 'false', 'aria-controls': `ban-${item.comment.id}` }),
  );
}

function rejectForm(item: QueueItem): HTMLElement {
  const id = item.comment.id;
  return h(
    'form',
    { class: 'inline-form reject-form', id: `reject-${id}`, 'data-part': 'reject', 'data-form': 'reject', hidden: true },
    h('label', { for: `reject-reason-${id}` }, S.rejectReasonLabel),
    h('input', { type: 'text', id: `reject-reason-${id}`, name: 'reason', maxlength: 500, autocomplete: 'off' }),
    h('button', { type: 'submit', class: 'btn btn-small btn-danger' }, S.confirmReject),
    btn('close-form', S.cancel),
  );
}

function banForm(item: QueueItem): HTMLElement {
  const id = item.comment.id;
  const net = item.comment.hasNetwork;
  const radio = (value: string, label: string, checked = false) =>
    h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'scope', value, checked, disabled: value !== 'author' && !net }), label);
  const dur = (value: string, label: string, selected = false) => h('option', { value, selected }, label);
  return h(
    'form',
    { class: 'inline-form ban-form', id: `ban-${id}`, 'data-part': 'ban', 'data-form': 'ban', hidden: true },
    h(
      'fieldset',
      {},
      h('legend', {}, S.banLegend),
      h(
        'div',
        { class: 'field', role: 'radiogroup', 'aria-labelledby': `ban-scope-${id}` },
        h('span', { class: 'field-label', id: `ban-scope-${id}` }, S.banScope),
        radio('author', S.scopeAuthor, true),
        radio('network', S.scopeNetwork),
        radio('both', S.scopeBoth),
        !net && h('span', { class: 'muted' }, S.noNetwork),
      ),
      h('div', { class: 'field' }, h('label', { for: `ban-reason-${id}` }, S.banReason), h('input', { type: 'text', id: `ban-reason-${id}`, name: 'reason', required: true, maxlength: 500, autocomplete: 'off' })),
      h(
        'div',
        { class: 'field' },
        h('label', { for: `ban-dur-${id}` }, S.banDuration),
        h('select', { id: `ban-dur-${id}`, name: 'duration' }, dur('60', S.dur1h), dur('1440', S.dur1d, true), dur('10080', S.dur7d), dur('43200', S.dur30d), dur('', S.durForever)),
      ),
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'removeComments' }), S.removeAll),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-small btn-danger' }, S.confirmBan), btn('close-form', S.cancel)),
    ),
  );
}

export function renderItem(item: QueueItem, selected: boolean): HTMLLIElement {
  const c = item.comment;
  return h(
    'li',
    { class: `item is-${c.status}${selected ? ' is-selected' : ''}`, id: `item-${c.id}`, 'data-id': c.id, tabindex: -1, 'aria-labelledby': `item-${c.id}-author` },
    head(item, selected),
    reasons(item),
    parent(item),
    content(item),
    revisions(item),
    author(item),
    actions(item),
    rejectForm(item),
    banForm(item),
  );
}

/**
 * Brings a rendered entry up to date in place, keeping an open form (and the text typed into it) and the
 * focus, so a live update never eats a moderator's half-written reason.
 */
export function patchItem(el: HTMLLIElement, item: QueueItem, selected: boolean): void {
  const fresh = renderItem(item, selected);
  el.className = fresh.className + (el.classList.contains('is-current') ? ' is-current' : '');
  const parts = [...fresh.children] as HTMLElement[];
  for (const old of [...el.children] as HTMLElement[]) {
    const keep = old.dataset.form && !old.hidden;
    if (!keep) old.remove();
  }
  let anchor: Element | null = el.firstElementChild;
  for (const part of parts) {
    const kept = el.querySelector<HTMLElement>(`:scope > [data-part="${part.dataset.part}"]`);
    if (kept) {
      anchor = kept.nextElementSibling;
      continue;
    }
    el.insertBefore(part, anchor);
  }
}
