// Owns the console's record views: the audit log (who, when, what, why), the bans list with lift, and
// the per-article settings (post/pre moderation, open/closed comments), kept live from article:updated.
import { busy, call, fill, fmtTime, h, notify, S, statusLabel, timeEl } from './admin-dom.js';
import type { AdminArticle, AuditEntry, ListedBan } from './admin-types.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function auditTarget(e: AuditEntry): HTMLElement | string {
  const t = S[`target_${e.targetType}`];
  const label = t ? fill(t, { id: e.targetId ?? '' }) : `${e.targetType} ${e.targetId ?? ''}`.trim();
  const d = (e.details ?? {}) as { article?: unknown; excerpt?: unknown };
  if (typeof d.article !== 'string') return label;
  // A comment row links to the comment in its article, with the start of its text.
  const href = `/articles/${encodeURIComponent(d.article)}${e.targetType === 'comment' ? `#c-${e.targetId}` : ''}`;
  return h('span', {}, h('a', { href, target: '_blank', rel: 'noopener' }, label), typeof d.excerpt === 'string' ? h('span', { class: 'excerpt' }, ` “${d.excerpt}”`) : null);
}

/** A short readable line for an entry's details (from → to for comment actions, key: value otherwise). */
function auditDetails(e: AuditEntry): string {
  const d = e.details;
  if (!d || typeof d !== 'object') return '';
  const o = d as Record<string, unknown>;
  if (e.action.startsWith('comment.')) {
    return typeof o.from === 'string' && typeof o.to === 'string' && o.from !== o.to ? `${statusLabel(o.from)} → ${statusLabel(o.to)}` : '';
  }
  if (Array.isArray(o.changes)) {
    const value = (k: string, v: unknown) => (v === null && k === 'moderationMode' ? S.modeInherit : detailValue(k, v));
    return (o.changes as { key: string; from: unknown; to: unknown }[])
      .map((c) => `${S[`detail_${c.key}`] ?? c.key}：${value(c.key, c.from)} → ${value(c.key, c.to)}`)
      .join('；');
  }
  return Object.entries(o)
    .filter(([k, v]) => v !== undefined && v !== null && k !== 'article' && k !== 'excerpt')
    .map(([k, v]) => `${S[`detail_${k}`] ?? k}:${detailValue(k, v)}`)
    .join('；');
}

/** Enumerated detail values by field (a word or a username is shown as it is). */
const VALUES: Record<string, Record<string, string>> = {
  scope: { author: S.scopeAuthor, network: S.scopeNetwork, both: S.scopeBoth },
  kind: { banned: S.wordsBanned, suspect: S.wordsSuspect },
  moderationMode: { pre: S.modePre, post: S.modePost },
  role: { admin: S.roleAdmin, moderator: S.roleModerator },
};

function detailValue(k: string, v: unknown): string {
  if (typeof v === 'boolean') return v ? S.yes : S.no;
  if (k === 'expiresAt' && typeof v === 'string') return fmtTime(v);
  if (typeof v === 'string') return VALUES[k]?.[v] ?? v;
  if (Array.isArray(v)) return v.join(', ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export class AuditView {
  private before: string | null = null;
  private readonly rows = $<HTMLTableSectionElement>('audit-rows');
  private readonly more = $<HTMLButtonElement>('audit-more');

  constructor() {
    this.more.addEventListener('click', () => void busy(this.more, () => this.load(false)));
  }

  async load(first = true): Promise<void> {
    const r = await call<{ entries: AuditEntry[]; nextCursor: string | null }>('GET', `/api/admin/audit${!first && this.before ? `?before=${this.before}` : ''}`);
    if (first) this.rows.replaceChildren();
    for (const e of r.entries) {
      this.rows.append(
        h(
          'tr',
          {},
          h('td', {}, timeEl(e.createdAt)),
          h('td', {}, e.moderatorName ?? S.system),
          h('td', {}, S[`audit_${e.action.replace(/\./g, '_')}`] ?? e.action),
          h('td', {}, auditTarget(e)),
          h('td', {}, e.reason ?? ''),
          h('td', { class: 'details' }, auditDetails(e)),
        ),
      );
    }
    this.before = r.nextCursor;
    this.more.hidden = r.nextCursor === null;
    $('audit-empty').hidden = this.rows.children.length > 0;
  }
}

/** Who a ban is on: the names they posted under (what a moderator remembers), then the id or network. */
function banTarget(b: ListedBan): HTMLElement {
  const id = b.authorId !== null ? fill(S.banAuthor, { id: b.authorId }) : fill(S.banNetwork, { hash: (b.ipHash ?? '').slice(0, 10) });
  if (!b.names.length) return h('span', { class: 'ban-target' }, id);
  return h('span', { class: 'ban-target' }, h('strong', { class: 'ban-names' }, b.names.join(S.banNameSeparator)), ' ', h('span', { class: 'muted' }, id));
}

export class BansView {
  private readonly rows = $<HTMLTableSectionElement>('bans-rows');
  private readonly all = $<HTMLInputElement>('bans-all');

  constructor() {
    this.all.addEventListener('change', () => void busy(null, () => this.load()));
    this.rows.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-lift]');
      if (b)
        void busy(b, async (owner) => {
          await call('DELETE', `/api/admin/bans/${b.dataset.lift}`);
          notify(S.banLifted, 'ok', owner);
          await this.load();
        });
    });
  }

  async load(): Promise<void> {
    const r = await call<{ bans: ListedBan[] }>('GET', `/api/admin/bans${this.all.checked ? '?all=1' : ''}`);
    const now = Date.now();
    this.rows.replaceChildren(
      ...r.bans.map((b) => {
        const state = b.liftedAt !== null ? S.banLifted : b.expiresAt !== null && b.expiresAt <= now ? S.banExpired : S.banActive;
        const active = state === S.banActive;
        return h(
          'tr',
          { class: active ? '' : 'is-inactive' },
          h('td', {}, banTarget(b)),
          h('td', {}, b.reason),
          h('td', {}, timeEl(b.createdAt)),
          h('td', {}, b.expiresAt === null ? S.banForever : timeEl(b.expiresAt)),
          h('td', {}, state),
          h('td', {}, active && h('button', { type: 'button', class: 'btn btn-small', 'data-lift': b.id, 'aria-label': fill(S.liftBanLabel, { id: b.id }) }, S.liftBan)),
        );
      }),
    );
    $('bans-empty').hidden = r.bans.length > 0;
  }
}

export class ArticlesView {
  private readonly rows = $<HTMLTableSectionElement>('articles-rows');

  constructor() {
    this.rows.addEventListener('change', (e) => {
      const sel = (e.target as HTMLElement).closest<HTMLSelectElement>('select[data-slug]');
      if (sel) void busy(null, (owner) => this.patch(sel.dataset.slug!, { moderationMode: sel.value === '' ? null : sel.value }, owner));
    });
    this.rows.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-slug]');
      if (b) void busy(b, (owner) => this.patch(b.dataset.slug!, { commentsClosed: b.dataset.closed !== 'true' }, owner));
    });
  }

  private async patch(slug: string, body: Record<string, unknown>, owner: string): Promise<void> {
    const r = await call<{ article: AdminArticle }>('PATCH', `/api/admin/articles/${encodeURIComponent(slug)}`, body);
    this.update(r.article);
    notify(S.saved, 'ok', owner);
  }

  async load(): Promise<void> {
    const r = await call<{ articles: AdminArticle[] }>('GET', '/api/admin/articles');
    this.rows.replaceChildren(...r.articles.map((a) => this.row(a)));
  }

  private row(a: AdminArticle): HTMLTableRowElement {
    const opt = (value: string, label: string) => h('option', { value, selected: (a.moderationMode ?? '') === value }, label);
    const titleId = `art-${a.slug}`;
    return h(
      'tr',
      { 'data-row': a.slug },
      h('th', { scope: 'row', id: titleId }, h('a', { href: `/articles/${encodeURIComponent(a.slug)}`, target: '_blank', rel: 'noopener' }, a.title)),
      h('td', { 'data-count': '' }, String(a.commentCount)),
      h(
        'td',
        {},
        h('select', { 'data-slug': a.slug, 'aria-label': `${S.moderationMode}:${a.title}` }, opt('', S.modeInherit), opt('post', S.modePost), opt('pre', S.modePre)),
      ),
      h('td', {}, h('span', { class: a.commentsClosed ? 'badge is-closed' : 'badge is-open' }, a.commentsClosed ? S.commentsClosed : S.commentsOpen)),
      h(
        'td',
        {},
        h('button', { type: 'button', class: 'btn btn-small', 'data-slug': a.slug, 'data-closed': String(a.commentsClosed), 'aria-describedby': titleId }, a.commentsClosed ? S.openComments : S.closeComments),
      ),
    );
  }

  /** Applies an article's new settings (our own change, or another moderator's via article:updated). */
  update(a: Partial<AdminArticle> & { slug: string }): void {
    const tr = [...this.rows.querySelectorAll<HTMLTableRowElement>('tr[data-row]')].find((r) => r.dataset.row === a.slug);
    if (!tr) return;
    const title = tr.querySelector('a')?.textContent ?? a.slug;
    const current: AdminArticle = {
      slug: a.slug,
      title: a.title ?? title,
      commentCount: a.commentCount ?? Number(tr.querySelector('[data-count]')?.textContent ?? 0),
      moderationMode: a.moderationMode !== undefined ? a.moderationMode : ((tr.querySelector('select')?.value || null) as AdminArticle['moderationMode']),
      commentsClosed: a.commentsClosed ?? tr.querySelector('button')?.dataset.closed === 'true',
    };
    const hadFocus = tr.contains(document.activeElement) ? (document.activeElement as HTMLElement).tagName : null;
    const fresh = this.row(current);
    tr.replaceWith(fresh);
    if (hadFocus) fresh.querySelector<HTMLElement>(hadFocus.toLowerCase())?.focus();
  }
}
