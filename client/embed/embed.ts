// Owns the embed bundle's public face (embed.js): <yilun-comments>, <yilun-count> and Yilun.mount(el, options)
// -> { update, destroy }. Where Yilun lives is where this script was loaded from.
import { EmbedClient } from './embed.api.js';
import { watchCount, unwatchCount } from './embed.count.js';
import { EmbedThread, type EmbedOptions } from './embed.thread.js';
import { renderRecent } from './embed.recent.js';

const script = document.currentScript as HTMLScriptElement | null;
const BASE = new URL(script?.src ?? location.href).origin;

export interface Mounted {
  update(options: EmbedOptions): void;
  destroy(): void;
}

export function mount(el: HTMLElement, options: EmbedOptions = {}): Mounted {
  const w = new EmbedThread(el, BASE, options);
  return { update: (o) => w.update(o), destroy: () => w.destroy() };
}

const ATTRS = ['page-id', 'page-url', 'page-title', 'lang', 'theme', 'sort', 'sso'] as const;

function optionsOf(el: HTMLElement): EmbedOptions {
  const a = (n: (typeof ATTRS)[number]) => el.getAttribute(n) ?? undefined;
  return { pageId: a('page-id'), pageUrl: a('page-url'), pageTitle: a('page-title'), lang: a('lang'), theme: a('theme') as EmbedOptions['theme'], sort: a('sort') as EmbedOptions['sort'], sso: a('sso') };
}

class YilunComments extends HTMLElement {
  static observedAttributes = [...ATTRS];
  private w: EmbedThread | null = null;

  connectedCallback(): void {
    this.w ??= new EmbedThread(this, BASE, optionsOf(this));
  }

  disconnectedCallback(): void {
    this.w?.destroy();
    this.w = null;
  }

  attributeChangedCallback(): void {
    this.w?.update(optionsOf(this));
  }
}

class YilunCount extends HTMLElement {
  private static api = new EmbedClient(BASE, null);

  connectedCallback(): void {
    watchCount(this, YilunCount.api);
  }

  disconnectedCallback(): void {
    unwatchCount(this);
  }
}

class YilunRecent extends HTMLElement {
  connectedCallback(): void {
    void renderRecent(this, new EmbedClient(BASE, null)).catch(() => undefined);
  }
}

if (!customElements.get('yilun-recent')) customElements.define('yilun-recent', YilunRecent);
if (!customElements.get('yilun-comments')) customElements.define('yilun-comments', YilunComments);
if (!customElements.get('yilun-count')) customElements.define('yilun-count', YilunCount);
(window as unknown as { Yilun: { mount: typeof mount } }).Yilun = { mount };
