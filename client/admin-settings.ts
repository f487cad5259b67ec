// Owns the admins' views: site moderation settings, the banned/suspect word lists and moderator accounts
// (create, change role, disable, sign out everywhere). The server enforces the admin role on every write.
import { busy, call, data, fill, h, notify, S } from './admin-dom.js';
import type { PublicModerator, SiteSettings, Word } from './admin-types.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class SiteView {
  private readonly form = $<HTMLFormElement>('site-form');

  constructor() {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = this.form.elements;
      const num = (name: string) => Number((f.namedItem(name) as HTMLInputElement).value);
      void busy(this.form.querySelector('button[type="submit"]'), async (owner) => {
        const r = await call<{ settings: SiteSettings }>('PATCH', '/api/admin/settings', {
          moderationMode: (f.namedItem('moderationMode') as HTMLSelectElement).value,
          linkLimit: num('linkLimit'),
          reportThreshold: num('reportThreshold'),
          holdFirstLink: (f.namedItem('holdFirstLink') as HTMLInputElement).checked,
          duplicateWindowMinutes: num('duplicateWindowMinutes'),
          heatCommentsPerMinute: num('heatCommentsPerMinute'),
          heatOpenReports: num('heatOpenReports'),
          reactionSet: Array.from(this.form.querySelectorAll<HTMLInputElement>('input[name="reactionSet"]:checked')).map((i) => i.value),
        });
        this.fill(r.settings);
        notify(S.saved, 'ok', owner);
      });
    });
  }

  async load(): Promise<void> {
    this.fill((await call<{ settings: SiteSettings }>('GET', '/api/admin/settings')).settings);
  }

  private fill(s: SiteSettings): void {
    const f = this.form.elements;
    (f.namedItem('moderationMode') as HTMLSelectElement).value = s.moderationMode;
    (f.namedItem('linkLimit') as HTMLInputElement).value = String(s.linkLimit);
    (f.namedItem('reportThreshold') as HTMLInputElement).value = String(s.reportThreshold);
    (f.namedItem('holdFirstLink') as HTMLInputElement).checked = s.holdFirstLink;
    (f.namedItem('duplicateWindowMinutes') as HTMLInputElement).value = String(s.duplicateWindowMinutes);
    (f.namedItem('heatCommentsPerMinute') as HTMLInputElement).value = String(s.heatCommentsPerMinute);
    (f.namedItem('heatOpenReports') as HTMLInputElement).value = String(s.heatOpenReports);
    for (const i of this.form.querySelectorAll<HTMLInputElement>('input[name="reactionSet"]')) i.checked = s.reactionSet.includes(i.value);
  }
}

export class WordsView {
  constructor() {
    for (const form of document.querySelectorAll<HTMLFormElement>('form.word-form')) {
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const input = form.querySelector<HTMLInputElement>('input[name="word"]')!;
        const word = input.value.trim();
        if (!word) return input.focus();
        void busy(form.querySelector('button[type="submit"]'), async () => {
          await call('POST', '/api/admin/words', { word, kind: form.dataset.kind });
          input.value = '';
          await this.load();
          input.focus();
        });
      });
    }
    $('view-words').addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-word]');
      if (b)
        void busy(b, async () => {
          await call('DELETE', `/api/admin/words/${b.dataset.word}`);
          await this.load();
        });
    });
  }

  async load(): Promise<void> {
    const { words } = await call<{ words: Word[] }>('GET', '/api/admin/words');
    for (const kind of ['banned', 'suspect'] as const) {
      const mine = words.filter((w) => w.kind === kind);
      $(`words-${kind}`).replaceChildren(
        ...(mine.length === 0
          ? [h('li', { class: 'muted' }, S.noWords)]
          : mine.map((w) =>
              h('li', { class: 'word' }, h('span', {}, w.word), h('button', { type: 'button', class: 'btn-x', 'data-word': w.id, 'aria-label': fill(S.removeWordLabel, { word: w.word }) }, '×')),
            )),
      );
    }
  }
}

export class ModeratorsView {
  private readonly rows = $<HTMLTableSectionElement>('mods-rows');

  constructor() {
    const create = $<HTMLFormElement>('mod-create');
    create.addEventListener('submit', (e) => {
      e.preventDefault();
      const fd = new FormData(create);
      void busy(create.querySelector('button[type="submit"]'), async (owner) => {
        await call('POST', '/api/admin/moderators', { username: String(fd.get('username')).trim(), password: String(fd.get('password')), role: String(fd.get('role')) });
        create.reset();
        notify(S.saved, 'ok', owner);
        await this.load();
      });
    });
    this.rows.addEventListener('change', (e) => {
      const sel = (e.target as HTMLElement).closest<HTMLSelectElement>('select[data-mod]');
      if (sel) void busy(null, (owner) => this.patch(Number(sel.dataset.mod), { role: sel.value }, owner));
    });
    this.rows.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-mod]');
      if (!b) return;
      const id = Number(b.dataset.mod);
      if (b.dataset.op === 'disable') void busy(b, (owner) => this.patch(id, { disabled: b.dataset.disabled !== 'true' }, owner));
      if (b.dataset.op === 'logout')
        void busy(b, async (owner) => {
          const r = await call<{ sessionsEnded: number }>('POST', `/api/admin/moderators/${id}/logout-everywhere`, {});
          notify(fill(S.sessionsEnded, { n: r.sessionsEnded }), 'ok', owner);
        });
    });
  }

  private async patch(id: number, body: Record<string, unknown>, owner: string): Promise<void> {
    try {
      await call('PATCH', `/api/admin/moderators/${id}`, body);
      notify(S.saved, 'ok', owner);
    } finally {
      // On a refusal (e.g. the last admin) the row goes back to what the server holds.
      await this.load();
    }
  }

  async load(): Promise<void> {
    const { moderators } = await call<{ moderators: PublicModerator[] }>('GET', '/api/admin/moderators');
    this.rows.replaceChildren(...moderators.map((m) => this.row(m)));
  }

  private row(m: PublicModerator): HTMLTableRowElement {
    const nameId = `mod-${m.id}`;
    const opt = (value: string, label: string) => h('option', { value, selected: m.role === value }, label);
    return h(
      'tr',
      { class: m.disabled ? 'is-inactive' : '' },
      h('th', { scope: 'row', id: nameId }, h('bdi', {}, m.username), m.id === data.me.id ? S.you : ''),
      h('td', {}, h('select', { 'data-mod': m.id, 'aria-label': `${S.modRole}:${m.username}` }, opt('moderator', S.roleModerator), opt('admin', S.roleAdmin))),
      h('td', {}, m.disabled ? S.modDisabled : S.modActive),
      h(
        'td',
        {},
        h(
          'div',
          { class: 'row-actions' },
          h('button', { type: 'button', class: 'btn btn-small', 'data-mod': m.id, 'data-op': 'disable', 'data-disabled': String(m.disabled), 'aria-describedby': nameId }, m.disabled ? S.enable : S.disable),
          h('button', { type: 'button', class: 'btn btn-small', 'data-mod': m.id, 'data-op': 'logout', 'aria-describedby': nameId }, S.logoutEverywhere),
        ),
      ),
    );
  }
}
