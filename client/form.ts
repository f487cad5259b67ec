// Owns the compose form once JavaScript runs: posts through the API, remembers the name, moves under a
// comment for a reply and back, keeps a draft per parent, shows refusals next to the field they are about.
import { api, ApiError, describeError, NetworkError } from './api.js';
import { clearDraft, loadDraft, saveDraft } from './drafts.js';
import { Notice } from './notice.js';
import { wireComposeExtras } from './compose-extras.js';
import { wireStaffOption } from './staff.js';
import type { CommentJson, PageData } from './types.js';

const NAME_KEY = 'yilun:name';

export interface ComposeOptions {
  data: PageData;
  form: HTMLFormElement;
  onPosted(c: CommentJson): void;
}

type Field = 'authorName' | 'body';
/** Refusals that are about one field, besides invalid_input's own field list. */
const CODE_FIELD: Record<string, Field> = { name_too_long: 'authorName', comment_too_long: 'body', banned_word: 'body', duplicate_comment: 'body' };

export class Compose {
  private readonly home: Comment;
  private readonly nameInput: HTMLInputElement;
  private readonly bodyInput: HTMLTextAreaElement;
  private readonly parentInput: HTMLInputElement;
  private readonly legend: HTMLElement;
  readonly message: Notice;
  private readonly cancel: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private readonly asStaff: () => boolean;

  constructor(private readonly o: ComposeOptions) {
    const f = o.form;
    const t = o.data.strings;
    this.home = document.createComment('compose-home');
    f.before(this.home);
    this.nameInput = f.querySelector('#f-name')!;
    this.bodyInput = f.querySelector('#f-body')!;
    this.parentInput = f.querySelector('input[name=parentId]')!;
    this.legend = f.querySelector('legend')!;
    this.message = new Notice(f.querySelector('#form-error')!);
    this.cancel = f.querySelector('.cancel-reply')!;
    this.submit = f.querySelector('button[type=submit]')!;
    try {
      this.nameInput.value ||= localStorage.getItem(NAME_KEY) ?? '';
    } catch {
      // storage may be disabled; the name is then simply not remembered
    }
    // What the server kept after a refused no-JS post wins over an older draft.
    if (this.bodyInput.value === '') {
      this.bodyInput.value = loadDraft(o.data.slug, this.parentId());
      if (this.bodyInput.value) this.message.show(t.draftRestored, { kind: 'notice', ms: 6000 });
    }
    this.bodyInput.addEventListener('input', () => {
      saveDraft(o.data.slug, this.parentId(), this.bodyInput.value);
      this.markInvalid([]);
    });
    this.nameInput.addEventListener('input', () => {
      this.markInvalid([]);
      this.rememberName();
    });
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
    wireComposeExtras(this.bodyInput, o.data);
    this.asStaff = wireStaffOption(f, o.data);
  }

  private rememberName(): void {
    try {
      localStorage.setItem(NAME_KEY, this.nameInput.value.trim());
    } catch {
      // see above
    }
  }

  get form(): HTMLFormElement {
    return this.o.form;
  }

  parentId(): number | null {
    return this.parentInput.value ? Number(this.parentInput.value) : null;
  }

  /** Moves the form under the comment being answered (null = back to the top), with that parent's draft. */
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
      this.bodyInput.value = loadDraft(this.o.data.slug, c.id);
      this.bodyInput.focus();
    } else {
      this.home.after(f);
      this.parentInput.value = '';
      this.legend.textContent = t.formLegend;
      this.cancel.hidden = true;
      this.bodyInput.value = loadDraft(this.o.data.slug, null);
    }
    this.bodyInput.dispatchEvent(new Event('yl:refresh'));
    this.markInvalid([]);
    this.message.clear();
  }

  /**
   * The comment being answered left the page (removed, hidden, held): the reply draft moves to the main
   * form, after whatever draft was already there, with a note saying so.
   */
  orphan(): void {
    const slug = this.o.data.slug;
    const parent = this.parentId();
    if (parent === null) return;
    const text = this.bodyInput.value;
    clearDraft(slug, parent);
    this.replyTo(null);
    const main = this.bodyInput.value;
    this.bodyInput.value = main && text ? `${main}\n\n${text}` : main || text;
    saveDraft(slug, null, this.bodyInput.value);
    this.bodyInput.dispatchEvent(new Event('yl:refresh'));
    this.message.show(this.o.data.strings.draftMoved, { kind: 'notice' });
  }

  /** Is the form inside el (a comment about to be replaced or removed)? */
  isInside(el: Element): boolean {
    return el.contains(this.o.form);
  }

  private field(name: Field): HTMLInputElement | HTMLTextAreaElement {
    return name === 'authorName' ? this.nameInput : this.bodyInput;
  }

  /** aria-invalid on the named fields, each pointing at the form's message; focus goes to the first. */
  private markInvalid(fields: Field[]): void {
    for (const name of ['authorName', 'body'] as Field[]) {
      const el = this.field(name);
      if (fields.includes(name)) {
        el.setAttribute('aria-invalid', 'true');
        el.setAttribute('aria-describedby', 'form-error');
      } else if (el.hasAttribute('aria-invalid')) {
        el.removeAttribute('aria-invalid');
        el.removeAttribute('aria-describedby');
      }
    }
    if (fields.length) this.field(fields[0]).focus();
  }

  private showFailure(err: unknown): void {
    const t = this.o.data.strings;
    if (err instanceof NetworkError) {
      this.message.show(t.networkError);
      return;
    }
    if (err instanceof ApiError) {
      const d = err.body.details as { field?: string; retryAfter?: number }[] | { retryAfter?: number } | undefined;
      if (err.body.code.startsWith('rate_limited') && d && !Array.isArray(d) && d.retryAfter) {
        this.message.countdown(t.rateLimitedCountdown, d.retryAfter);
        return;
      }
      const fields = Array.isArray(d)
        ? d.map((x) => x.field).filter((x): x is Field => x === 'authorName' || x === 'body')
        : CODE_FIELD[err.body.code]
          ? [CODE_FIELD[err.body.code]]
          : [];
      this.message.show(describeError(err, t.errorGeneric));
      this.markInvalid([...new Set(fields)]);
      return;
    }
    this.message.show(t.errorGeneric);
  }

  private async send(): Promise<void> {
    const t = this.o.data.strings;
    const parentId = this.parentId();
    this.submit.disabled = true;
    this.submit.textContent = t.submitting;
    try {
      const { comment } = await api<{ comment: CommentJson }>('POST', `/api/articles/${encodeURIComponent(this.o.data.slug)}/comments`, {
        authorName: this.nameInput.value,
        body: this.bodyInput.value,
        parentId,
        ...(this.asStaff() ? { asStaff: true } : {}),
      });
      this.rememberName();
      clearDraft(this.o.data.slug, parentId);
      this.bodyInput.value = '';
      this.replyTo(null);
      this.o.onPosted(comment);
      if (comment.status === 'pending') this.message.show(t.postedPending, { kind: 'notice', ms: 6000 });
    } catch (err) {
      this.showFailure(err);
    } finally {
      this.submit.disabled = false;
      this.submit.textContent = t.submit;
    }
  }
}
