// Owns the console's notification view: the moderator's own review alerts (immediately, hourly, off), and for
// admins the webhooks (add, enable/disable, send a test, delete), the private-destination setting and the
// delivery log (status, attempts, response code, latency, error).
import { busy, call, fill, h, notify, S, timeEl } from './admin-dom.js';

interface NotifyInfo {
  mailAvailable: boolean;
  alert: { mode: 'immediate' | 'hourly' | 'off'; emailSet: boolean };
  webhooksAllowPrivate: boolean;
}
interface Webhook {
  id: number;
  url: string;
  format: string;
  events: string[];
  enabled: boolean;
  secretHint: string;
}
interface DeliveryRow {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  latencyMs: number | null;
  lastError: string | null;
  createdAt: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const FORMATS: Record<string, string> = { json: S.formatJson, wecom: S.formatWecom, dingtalk: S.formatDingtalk, feishu: S.formatFeishu };
const EVENTS: Record<string, string> = {
  'comment.created': S.eventCreated,
  'comment.edited': S.eventEdited,
  'comment.removed': S.eventRemoved,
  'comment.held': S.eventHeld,
  'comment.reported': S.eventReported,
  'author.banned': S.eventBanned,
};
const STATUS: Record<string, string> = { pending: S.dStatusPending, sent: S.dStatusSent, failed: S.dStatusFailed, cancelled: S.dStatusCancelled };

export class NotifyView {
  private readonly admin: boolean;

  constructor(admin: boolean) {
    this.admin = admin;
    const alerts = $<HTMLFormElement>('alerts-form')!;
    alerts.addEventListener('submit', (e) => {
      e.preventDefault();
      const email = (alerts.elements.namedItem('email') as HTMLInputElement).value.trim();
      const mode = (alerts.elements.namedItem('mode') as HTMLSelectElement).value;
      void busy(alerts.querySelector('button'), async () => {
        await call('POST', '/api/admin/notify/alerts', email ? { email, mode } : { mode });
        (alerts.elements.namedItem('email') as HTMLInputElement).value = '';
        notify(S.notifySaved);
        await this.load();
      });
    });
    if (!admin) return;
    $<HTMLInputElement>('webhooks-private')!.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      call('POST', '/api/admin/notify/settings', { webhooksAllowPrivate: box.checked })
        .then(() => notify(S.notifySaved))
        .catch((err: unknown) => {
          box.checked = !box.checked;
          notify(err instanceof Error ? err.message : S.errorGeneric, 'error');
        });
    });
    const form = $<HTMLFormElement>('webhook-form')!;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = form.elements;
      const events = Array.from(form.querySelectorAll<HTMLInputElement>('input[name="events"]:checked')).map((x) => x.value);
      const secret = (f.namedItem('secret') as HTMLInputElement).value.trim();
      const body = { url: (f.namedItem('url') as HTMLInputElement).value.trim(), format: (f.namedItem('format') as HTMLSelectElement).value, events, ...(secret ? { secret } : {}) };
      void busy(form.querySelector('button[type="submit"]'), async () => {
        const r = await call<{ secret: string }>('POST', '/api/admin/webhooks', body);
        $('webhook-created')!.textContent = fill(S.webhookCreated, { secret: r.secret });
        form.reset();
        await this.load();
      });
    });
    $<HTMLSelectElement>('deliveries-channel')!.addEventListener('change', () => void this.loadLog());
  }

  async load(): Promise<void> {
    const info = await call<NotifyInfo>('GET', '/api/admin/notify');
    $('mail-unavailable')!.hidden = info.mailAvailable;
    $('alerts-email-set')!.hidden = !info.alert.emailSet;
    ($('alerts-mode') as HTMLSelectElement).value = info.alert.mode;
    if (!this.admin) return;
    ($('webhooks-private') as HTMLInputElement).checked = info.webhooksAllowPrivate;
    const { webhooks } = await call<{ webhooks: Webhook[] }>('GET', '/api/admin/webhooks');
    $('webhooks-empty')!.hidden = webhooks.length > 0;
    $('webhook-rows')!.replaceChildren(...webhooks.map((w) => this.row(w)));
    await this.loadLog();
  }

  private row(w: Webhook): HTMLTableRowElement {
    const button = (label: string, fn: () => Promise<void>) => {
      const b = h('button', { type: 'button', class: 'btn btn-small' }, label);
      b.addEventListener('click', () => void busy(b, fn));
      return b;
    };
    return h(
      'tr',
      {},
      h('td', { class: 'url' }, w.url),
      h('td', {}, FORMATS[w.format] ?? w.format),
      h('td', {}, w.events.map((e) => EVENTS[e] ?? e).join('、')),
      h('td', {}, w.enabled ? S.webhookEnabled : S.webhookDisabled),
      h(
        'td',
        { class: 'actions' },
        button(S.webhookTest, async () => {
          await call('POST', `/api/admin/webhooks/${w.id}/test`, {});
          notify(S.webhookTestQueued);
          window.setTimeout(() => void this.loadLog(), 1500);
        }),
        button(w.enabled ? S.webhookDisable : S.webhookEnable, async () => {
          await call('PATCH', `/api/admin/webhooks/${w.id}`, { enabled: !w.enabled });
          await this.load();
        }),
        button(S.webhookDelete, async () => {
          await call('DELETE', `/api/admin/webhooks/${w.id}`);
          await this.load();
        }),
      ),
    );
  }

  private async loadLog(): Promise<void> {
    const channel = ($('deliveries-channel') as HTMLSelectElement).value;
    const { deliveries } = await call<{ deliveries: DeliveryRow[] }>('GET', `/api/admin/deliveries?channel=${channel}`);
    $('deliveries-empty')!.hidden = deliveries.length > 0;
    $('delivery-rows')!.replaceChildren(
      ...deliveries.map((d) =>
        h(
          'tr',
          { class: `delivery is-${d.status}` },
          h('td', {}, timeEl(d.createdAt)),
          h('td', {}, d.kind),
          h('td', {}, STATUS[d.status] ?? d.status),
          h('td', {}, String(d.attempts)),
          h('td', {}, d.responseCode === null ? '' : String(d.responseCode)),
          h('td', {}, d.latencyMs === null ? '' : fill(S.latencyMs, { n: d.latencyMs })),
          h('td', {}, d.lastError ?? ''),
        ),
      ),
    );
  }
}
