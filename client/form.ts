// Owns the compose form once JavaScript runs: posts through the API, remembers the name, moves under a
// comment for a reply and back, shows refusals next to the form.
import { api, describeError } from './api.js';
import type { CommentJson, PageData } from './types.js';

const NAME_KEY = 'yilun:name';

export interface ComposeOptions {
  data: PageData;
  form: HTMLFormElement;
  onPosted(c: CommentJson): void;
}

export class Compose {
  private readonly home: Comment;
  private readonly nameInput: HTMLInputElement;
  private readonly bodyInput: HTMLTextAreaElement;
  private readonly parentInput: HTMLInputElement;
  private readonly legend: HTMLElement;
  private readonly error: HTMLElement;
  private readonly cancel: HTMLElement;
  private readonly submit: HTMLButtonElement;

  constructor(private readonly o: ComposeOptions) {
    const f = o.form;
    this.home = document.createComment('compose-home');
    f.before(this.home);
    this.nameInput = f.querySelector('#f-name')!;
    this.bodyInput = f.querySelector('#f-body')!;
    this.parentInput = f.querySelector('input[name=parentId]')!;
    this.legend = f.querySelector('legend')!;
    this.error = f.querySelector('#form-error')!;
    this.cancel = f.querySelector('.cancel-reply')!;
    this.submit = f.querySelector('button[type=submit]')!;
    try {
      this.nameInput.value ||= localStorage.getItem(NAME_KEY) ?? '';
    } catch {
      // storage may be disabled; the name is then simply not remembered
    }
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    this.cancel.addEventListener('click', (e) => {
      e.preventDefault();
      this.replyTo(null);
    });
    this.bodyInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.send();
      }
    });
  }

  /** Moves the form under the comment being answered (null = back to the top). */
  replyTo(c: { id: number; authorName: string } | null): void {
    const t = this.o.data.strings;
    const f = this.o.form;
    if (c) {
      const target = document.getElementById(`c-${c.id}`)?.querySelector(':scope > .comment-main');
      if (!target) return;
      target.after(f);
      this.parentInput.value = String(c.id);
      this.legend.textContent = t.replyTo.replace('{name}', () => c.authorName);
      this.cancel.hidden = false;
      this.bodyInput.focus();
    } else {
      this.home.after(f);
      this.parentInput.value = '';
      this.legend.textContent = t.formLegend;
      this.cancel.hidden = true;
    }
    this.showError('');
  }

  showError(msg: string): void {
    this.error.textContent = msg;
    this.error.hidden = msg === '';
  }

  private async send(): Promise<void> {
    const t = this.o.data.strings;
    const parentId = this.parentInput.value ? Number(this.parentInput.value) : null;
    this.submit.disabled = true;
    this.submit.textContent = t.submitting;
    try {
      const { comment } = await api<{ comment: CommentJson }>('POST', `/api/articles/${encodeURIComponent(this.o.data.slug)}/comments`, {
        authorName: this.nameInput.value,
        body: this.bodyInput.value,
        parentId,
      });
      try {
        localStorage.setItem(NAME_KEY, this.nameInput.value.trim());
      } catch {
        // see above
      }
      this.bodyInput.value = '';
      this.replyTo(null);
      this.o.onPosted(comment);
      if (comment.status === 'pending') this.showNotice(t.postedPending);
    } catch (err) {
      this.showError(describeError(err, t.errorGeneric));
    } finally {
      this.submit.disabled = false;
      this.submit.textContent = t.submit;
    }
  }

  private showNotice(msg: string): void {
    this.error.textContent = msg;
    this.error.hidden = false;
    this.error.classList.add('is-notice');
    setTimeout(() => {
      this.error.classList.remove('is-notice');
      this.showError('');
    }, 6000);
  }
}
