// Owns a message slot (a form's error line, the page toast): a message with a timer clears only itself,
// so a notice's timer never erases a later, unrelated error; a countdown rewrites its own text each second.
export class Notice {
  private token = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly el: HTMLElement) {}

  /** Shows msg; kind 'notice' is the calm colour. With ms it goes away by itself, unless replaced first. */
  show(msg: string, opts: { kind?: 'error' | 'notice'; ms?: number } = {}): number {
    const mine = ++this.token;
    clearInterval(this.timer);
    clearTimeout(this.timer);
    this.el.textContent = msg;
    this.el.hidden = msg === '';
    this.el.classList.toggle('is-notice', opts.kind === 'notice');
    if (opts.ms) this.timer = setTimeout(() => this.clear(mine), opts.ms);
    return mine;
  }

  /** "请 {n} 秒后再试": counts down each second, then clears itself. */
  countdown(template: string, seconds: number, done?: () => void): void {
    let left = Math.max(1, Math.ceil(seconds));
    const mine = this.show(template.replace('{n}', String(left)));
    this.timer = setInterval(() => {
      if (mine !== this.token) return;
      left--;
      if (left > 0) this.el.textContent = template.replace('{n}', String(left));
      else {
        this.clear(mine);
        done?.();
      }
    }, 1000);
  }

  /** Clears the slot; with a token, only if that message is still the one shown. */
  clear(token?: number): void {
    if (token !== undefined && token !== this.token) return;
    clearInterval(this.timer);
    clearTimeout(this.timer);
    this.token++;
    this.el.textContent = '';
    this.el.hidden = true;
    this.el.classList.remove('is-notice');
  }
}

let toastEl: HTMLElement | null = null;
let toast: Notice | null = null;

/** The page-wide toast (role=status): for outcomes whose comment may already be gone from the page. */
export function pageToast(): Notice {
  if (!toast) {
    toastEl = Object.assign(document.createElement('p'), { id: 'toast', className: 'toast' });
    toastEl.setAttribute('role', 'status');
    toastEl.hidden = true;
    document.body.append(toastEl);
    toast = new Notice(toastEl);
  }
  return toast;
}
