// Owns the console's pulse view and heat alerts: each article's comments per minute over the last hour as a
// small live chart (heat:pulse), open reports and held items, slow mode and moderation mode switches, and a
// live alert per crossing (heat:alarm) with one-click "开启慢速模式" / "改为先审后发". Every switch goes through
// PATCH /api/admin/articles/:slug, which the server audits.
import type { ArticlePulse } from '../contracts/moderation';
import { busy, call, fill, h, notify, S } from './admin-dom.js';

export type { ArticlePulse };

export interface Pulse {
  at: string;
  articles: ArticlePulse[];
}

/** The slow-mode choices the console offers (the API takes any whole number of seconds up to a day). */
const SLOW_CHOICES = [0, 30, 120, 600];
/** One click from an alert sets this interval. */
const ALERT_SLOW_SECONDS = 120;
const SVG = 'http://www.w3.org/2000/svg';

const slowLabel = (n: number) => (n === 0 ? S.slowOff : n % 60 === 0 ? fill(S.slowMinutes, { n: n / 60 }) : fill(S.slowSeconds, { n }));
const rate = (n: number) => (Math.round(n * 10) / 10).toString();

/** A 120x28 sparkline of the hour, newest at the right; its accessible name says the latest rate. */
function sparkline(values: number[], label: string): SVGSVGElement {
  const w = 120;
  const hgt = 28;
  const max = Math.max(1, ...values);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(hgt));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'sparkline');
  const pts = values.map((v, i) => `${((i / Math.max(1, values.length - 1)) * w).toFixed(1)},${(hgt - 2 - (v / max) * (hgt - 4)).toFixed(1)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', pts.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

export class PulseView {
  private readonly rows = document.getElementById('pulse-rows') as HTMLTableSectionElement;
  private readonly alerts = document.getElementById('heat-alerts') as HTMLElement;

  constructor() {
    const onChange = (e: Event) => {
      const sel = (e.target as HTMLElement).closest<HTMLSelectElement>('select[data-slug]');
      if (!sel) return;
      const body = sel.dataset.op === 'slow' ? { slowModeSeconds: Number(sel.value) } : { moderationMode: sel.value === '' ? null : sel.value };
      void busy(null, () => this.patch(sel.dataset.slug!, body, S.saved));
    };
    this.rows.addEventListener('change', onChange);
    this.alerts.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-op]');
      if (!b) return;
      const box = b.closest<HTMLElement>('.heat-alert');
      if (b.dataset.op === 'dismiss') return void box?.remove();
      const slug = b.dataset.slug!;
      void busy(b, async () => {
        if (b.dataset.op === 'slow') await this.patch(slug, { slowModeSeconds: ALERT_SLOW_SECONDS }, S.slowModeOn);
        else await this.patch(slug, { moderationMode: 'pre' }, S.preModeOn);
        b.disabled = true;
      });
    });
  }

  private async patch(slug: string, body: Record<string, unknown>, done: string): Promise<void> {
    await call('PATCH', `/api/admin/articles/${encodeURIComponent(slug)}`, body);
    notify(done);
    await this.load();
  }

  async load(): Promise<void> {
    this.update(await call<Pulse>('GET', '/api/admin/pulse'));
  }

  /** A pulse from the server (live every few seconds, or loaded): redraws the table. */
  update(p: Pulse): void {
    this.rows.replaceChildren(...p.articles.map((a) => this.row(a)));
  }

  private row(a: ArticlePulse): HTMLTableRowElement {
    const titleId = `pulse-${a.slug}`;
    const choices = SLOW_CHOICES.includes(a.slowModeSeconds) ? SLOW_CHOICES : [...SLOW_CHOICES, a.slowModeSeconds].sort((x, y) => x - y);
    return h(
      'tr',
      { class: a.hot ? 'is-hot' : '' },
      h('th', { scope: 'row', id: titleId }, h('a', { href: `/articles/${encodeURIComponent(a.slug)}`, target: '_blank', rel: 'noopener' }, a.title), a.hot ? h('span', { class: 'badge is-hot' }, S.pulseHot) : ''),
      h('td', {}, sparkline(a.perMinute, `${S.pulseRate} ${rate(a.rate)}`) as unknown as HTMLElement),
      h('td', { class: 'num' }, rate(a.rate)),
      h('td', { class: 'num' }, String(a.openReports)),
      h('td', { class: 'num' }, String(a.held)),
      h('td', {}, h('select', { 'data-slug': a.slug, 'data-op': 'slow', 'aria-describedby': titleId, 'aria-label': S.pulseSlowMode }, ...choices.map((n) => h('option', { value: String(n), selected: n === a.slowModeSeconds }, slowLabel(n))))),
      h(
        'td',
        {},
        h(
          'select',
          { 'data-slug': a.slug, 'data-op': 'mode', 'aria-describedby': titleId, 'aria-label': S.pulseMode },
          h('option', { value: '', selected: a.moderationMode === null }, S.modeInherit),
          h('option', { value: 'post', selected: a.moderationMode === 'post' }, S.modePost),
          h('option', { value: 'pre', selected: a.moderationMode === 'pre' }, S.modePre),
        ),
      ),
    );
  }

  /** One alert per crossing (the server decides when): a banner with the two one-click switches. */
  alarm(a: ArticlePulse): void {
    const text = fill(S.heatAlarm, { title: a.title, rate: rate(a.rate), reports: a.openReports });
    const box = h(
      'div',
      { class: 'heat-alert', role: 'alert', 'data-slug': a.slug },
      h('p', {}, text),
      h(
        'div',
        { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-op': 'slow', 'data-slug': a.slug, disabled: a.slowModeSeconds > 0 }, S.enableSlowMode),
        h('button', { type: 'button', class: 'btn btn-small', 'data-op': 'pre', 'data-slug': a.slug, disabled: a.moderationMode === 'pre' }, S.switchToPre),
        h('button', { type: 'button', class: 'btn btn-small', 'data-op': 'dismiss' }, S.heatDismiss),
      ),
    );
    this.alerts.querySelector(`.heat-alert[data-slug="${CSS.escape(a.slug)}"]`)?.remove();
    this.alerts.prepend(box);
  }
}
