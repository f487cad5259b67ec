// Owns wiring the heated-thread tools into the article page: slow mode (notice, live on/off, countdown after
// posting), "N 人正在输入" under the form (with a remembered off switch), reactions, the edit history popover
// and the 精选 filter. app.ts calls wireHeat once and posted() after the reader's own post.
import type { TimeFormat } from './time-format.js';
import type { Thread } from './thread.js';
import type { PageData } from './types.js';
import { wireReactions } from './reactions.js';
import { wireHistory } from './history.js';
import { wirePicks } from './picks.js';

export interface HeatSocket {
  on(event: string, fn: (...args: never[]) => void): void;
  emit(event: string, ...args: unknown[]): void;
  connected: boolean;
}

export interface HeatOptions {
  data: PageData;
  socket: HeatSocket;
  thread: Thread;
  time: TimeFormat;
  /** Marks an event's seq as seen (app.ts's seq tracking): reactions move the article's seq too. */
  sawSeq(seq: number): void;
}

const TYPING_OFF_KEY = 'yilun:typing-off';
/** The page says "typing" at most this often; the server counts a typist for 5 s after the last signal. */
const TYPING_SEND_MS = 2000;
const TYPING_SELF_MS = 5000;

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

function interval(t: Record<string, string>, seconds: number): string {
  return seconds % 60 === 0 ? fill(t.intervalMinutes, { n: seconds / 60 }) : fill(t.intervalSeconds, { n: seconds });
}

export interface HeatPage {
  /** The reader's comment went out: the slow-mode countdown starts. */
  posted(): void;
  /** A join answer (first join, reconnect, fill): its article state as of `seq`. */
  joined(d: { seq: number; slowModeSeconds?: number }): void;
}

function wireSlowMode(o: HeatOptions): HeatPage {
  const t = o.data.strings;
  let seconds = o.data.slowModeSeconds ?? 0;
  /** The seq of the state `seconds` comes from: an older answer or event arriving late does not undo a newer one. */
  let at = o.data.seq;
  const set = (s: number | undefined, seq: number) => {
    if (s === undefined || seq < at) return;
    at = seq;
    if (s === seconds) return;
    seconds = s;
    render();
  };
  let until = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const box = () => document.getElementById('slow-mode');
  const render = () => {
    const el = box();
    if (!el) return;
    el.hidden = seconds <= 0 || !document.getElementById('compose') || document.getElementById('compose')!.hidden;
    el.querySelector('.slow-mode-rule')!.textContent = fill(t.slowModeNotice, { interval: interval(t, seconds) });
    const wait = el.querySelector<HTMLElement>('.slow-mode-wait')!;
    const left = Math.ceil((until - Date.now()) / 1000);
    wait.textContent = seconds > 0 && left > 0 ? fill(t.slowModeWait, { seconds: left }) : '';
    if ((left <= 0 || seconds <= 0) && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  o.socket.on('article:updated', (e: { seq: number; article: string; slowModeSeconds?: number }) => {
    if (e.article === o.data.slug) set(e.slowModeSeconds, e.seq);
  });
  render();
  return {
    joined: (d) => set(d.slowModeSeconds, d.seq),
    posted() {
      if (seconds <= 0) return;
      until = Date.now() + seconds * 1000;
      if (!timer) timer = setInterval(render, 1000);
      render();
    },
  };
}

function wireTyping(o: HeatOptions): void {
  const t = o.data.strings;
  const form = document.getElementById('compose') as HTMLFormElement | null;
  const body = form?.querySelector<HTMLTextAreaElement>('#f-body');
  if (!form || !body) return;
  let off = localStorage.getItem(TYPING_OFF_KEY) === '1';
  let lastSent = 0;
  let count = 0;
  const bar = document.createElement('div');
  bar.className = 'typing-bar';
  const line = Object.assign(document.createElement('p'), { className: 'typing-line', id: 'typing-line' });
  line.setAttribute('aria-live', 'off');
  const label = document.createElement('label');
  label.className = 'typing-toggle';
  const box = Object.assign(document.createElement('input'), { type: 'checkbox', id: 'typing-toggle', checked: !off });
  label.append(box, ' ', t.typingToggle);
  bar.append(line, label);
  form.querySelector('fieldset')?.append(bar);
  const render = () => {
    // The count includes this reader while they type: others are what the line is about.
    const others = count - (Date.now() - lastSent < TYPING_SELF_MS ? 1 : 0);
    line.textContent = others > 0 ? fill(t.typingCount, { n: others }) : '';
    line.hidden = off || others <= 0;
  };
  box.addEventListener('change', () => {
    off = !box.checked;
    localStorage.setItem(TYPING_OFF_KEY, off ? '1' : '0');
    render();
  });
  body.addEventListener('input', () => {
    const now = Date.now();
    if (off || !o.socket.connected || now - lastSent < TYPING_SEND_MS || body.value.trim() === '') return;
    lastSent = now;
    o.socket.emit('typing');
  });
  o.socket.on('typing:count', (e: { article: string; count: number }) => {
    if (e.article !== o.data.slug) return;
    count = e.count;
    render();
  });
  render();
}

export function wireHeat(o: HeatOptions): HeatPage {
  const slow = wireSlowMode(o);
  wireTyping(o);
  wireReactions(o);
  wireHistory(o);
  wirePicks(o);
  return slow;
}
