// Owns the console's embedding sites view (admins): each site's name, allowed origins, moderation mode of
// new threads and SSO settings in one form, its page threads on demand, and a form for a new site.
import { busy, call, fmtTime, h, notify, S } from './admin-dom.js';

interface EmbedSite {
  id: number;
  name: string;
  origins: string[];
  moderationMode: 'post' | 'pre' | null;
  ssoEnabled: boolean;
  ssoRequired: boolean;
  loginUrl: string | null;
}

interface PageThread {
  pageKey: string;
  pageUrl: string | null;
  slug: string;
  title: string;
  commentCount: number;
  commentsClosed: boolean;
  createdAt: number;
}

const $ = (id: string) => document.getElementById(id)!;

export class EmbedSitesView {
  async load(): Promise<void> {
    const { sites } = await call<{ sites: EmbedSite[] }>('GET', '/api/admin/sites');
    $('embed-sites').replaceChildren(...sites.map((s) => this.siteForm(s)), h('h2', {}, S.embedNew), this.siteForm(null));
  }

  private siteForm(site: EmbedSite | null): HTMLElement {
    const id = site ? `embed-${site.id}` : 'embed-new';
    const field = (name: string, label: string, input: HTMLElement) => h('div', { class: 'field' }, h('label', { for: `${id}-${name}` }, label), input);
    const mode = h('select', { id: `${id}-mode`, name: 'moderationMode' }, ...(['', 'post', 'pre'] as const).map((m) =>
      h('option', { value: m, selected: (site?.moderationMode ?? '') === m }, m === '' ? S.modeInherit : m === 'post' ? S.modePost : S.modePre)));
    const remove = site?.ssoEnabled ? h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'ssoRemove' }), ` ${S.embedSsoRemove}`) : null;
    const form = h('form', { class: 'settings-form embed-site', 'data-site': site?.id ?? '' },
      site ? h('h2', {}, site.name) : null,
      field('name', S.embedName, h('input', { type: 'text', id: `${id}-name`, name: 'name', required: true, maxlength: 100, value: site?.name ?? '' })),
      field('origins', S.embedOrigins, Object.assign(h('textarea', { id: `${id}-origins`, name: 'origins', rows: 3 }), { value: site?.origins.join('\n') ?? '' })),
      field('mode', S.embedMode, mode),
      field('secret', site?.ssoEnabled ? `${S.embedSsoSecret} · ${S.embedSsoSet}` : S.embedSsoSecret, h('input', { type: 'password', id: `${id}-secret`, name: 'ssoSecret', autocomplete: 'new-password', minlength: 32, maxlength: 200 })),
      remove,
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'ssoRequired', checked: site?.ssoRequired ?? false }), ` ${S.embedSsoRequired}`),
      field('login', S.embedLoginUrl, h('input', { type: 'url', id: `${id}-login`, name: 'loginUrl', value: site?.loginUrl ?? '' })),
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, S.save), site ? h('button', { type: 'button', class: 'btn', 'data-pages': '' }, S.embedPages) : null),
      h('div', { class: 'embed-pages' }),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(form.querySelector('button[type="submit"]'), async () => {
        const f = form.elements;
        const val = (n: string) => (f.namedItem(n) as HTMLInputElement).value.trim();
        const checked = (n: string) => (f.namedItem(n) as HTMLInputElement | null)?.checked ?? false;
        const secret = val('ssoSecret');
        const body = {
          name: val('name'),
          origins: val('origins').split(/\s+/).filter(Boolean),
          moderationMode: val('moderationMode') || null,
          ssoRequired: checked('ssoRequired'),
          loginUrl: val('loginUrl') || null,
          ...(checked('ssoRemove') ? { ssoSecret: null } : secret ? { ssoSecret: secret } : {}),
        };
        if (site) await call('PATCH', `/api/admin/sites/${site.id}`, body);
        else await call('POST', '/api/admin/sites', body);
        notify(site ? S.saved : S.embedCreated);
        await this.load();
      });
    });
    form.querySelector<HTMLButtonElement>('[data-pages]')?.addEventListener('click', (e) => {
      void busy(e.currentTarget as HTMLButtonElement, async () => {
        const { pages } = await call<{ pages: PageThread[] }>('GET', `/api/admin/sites/${site!.id}/pages`);
        form.querySelector('.embed-pages')!.replaceChildren(pages.length
          ? h('ul', {}, pages.map((p) => this.pageRow(site!, p, pages)))
          : h('p', {}, S.embedPagesEmpty));
      });
    });
    return form;
  }

  /** A page thread: its link (the moderation tools of any article apply), where it lives, a rename box and a merge. */
  private pageRow(site: EmbedSite, p: PageThread, pages: PageThread[]): HTMLElement {
    const title = h('input', { type: 'text', value: p.title, maxlength: 200, 'aria-label': S.embedRename });
    const rename = h('button', { type: 'button', class: 'btn' }, S.embedRename);
    rename.addEventListener('click', () => {
      void busy(rename, async () => {
        await call('PATCH', `/api/admin/sites/${site.id}/pages/${encodeURIComponent(p.slug)}`, { title: title.value });
        notify(S.saved);
      });
    });
    return h('li', { 'data-slug': p.slug }, h('a', { href: `/articles/${encodeURIComponent(p.slug)}` }, p.title), ` · ${p.pageUrl ?? p.pageKey} · ${p.commentCount} · ${fmtTime(p.createdAt)} `, title, rename, this.mergeBox(site, p, pages));
  }

  /** Merge into another of the site's threads: pick the target, then confirm (the move cannot be undone). */
  private mergeBox(site: EmbedSite, p: PageThread, pages: PageThread[]): HTMLElement {
    const into = h('select', { 'aria-label': S.embedMergeInto, name: 'mergeInto' }, h('option', { value: '' }, S.embedMergeNone),
      ...pages.filter((o) => o.slug !== p.slug).map((o) => h('option', { value: o.slug }, `${o.title} · ${o.pageUrl ?? o.pageKey}`)));
    const merge = h('button', { type: 'button', class: 'btn', 'data-merge': '' }, S.embedMerge);
    let armed = false;
    into.addEventListener('change', () => ((armed = false), (merge.textContent = S.embedMerge)));
    merge.addEventListener('click', () => {
      if (!into.value) return void into.focus();
      if (!armed) return void ((armed = true), (merge.textContent = S.embedMergeConfirm), merge.classList.add('btn-danger'));
      void busy(merge, async () => {
        const r = await call<{ moved: number }>('POST', `/api/admin/sites/${site.id}/pages/${encodeURIComponent(p.slug)}/merge`, { into: into.value });
        notify(S.embedMerged.replace('{n}', String(r.moved)));
        (document.querySelector<HTMLButtonElement>(`form[data-site="${site.id}"] [data-pages]`))?.click();
      });
    });
    return h('span', { class: 'embed-merge' }, ` ${S.embedMergeInto} `, into, merge);
  }
}
