// Owns wiring the heated-thread tools into the article page: slow mode (notice, live on/off, countdown after
// posting), "N 人正在输入" under the form (with a remembered off switch), reactions, the edit history popover
// and the 精选 filter. app.ts calls wireHeat once and posted() after the reader's own post. The slow-mode and
// typing pieces take their elements, so the embed (client/embed/embed.tools.ts) wires the same logic.
import { fill, interval, remember, type HeatOptions } from './heat-shared.js';
import { wireReactions } from './reactions.js';
import { wireHistory } from './history.js';
import { wirePicks } from './picks.js';

export type { HeatOptions, HeatSocket } from './heat-shared.js';

const TYPING_OFF_KEY = 'yilun:typing-off';
/** The page says "typing" at most this often; the server counts a typist for 5 s after the last signal. */
const TYPING_SEND_MS = 2000;
const TYPING_SELF_MS = 5000;

export interface SlowMode {
  /** The reader posted (or was told to wait `waitSeconds`): the countdown starts. */
  posted(waitSeconds?: number): void;
  /** A join answer (first join, reconnect, fill): its article state as of `seq`. */
  joined(d: { seq: number; slowModeSeconds?: number }): void;
}

/** What app.ts holds of the page's heat tools. */
export type HeatPage = SlowMode;

/** `box` holds .slow-mode-rule and .slow-mode-wait; `shown` says whether the form it belongs to is there. */
export function wireSlowMode(o: HeatOptions, box: () => HTMLElement | null, shown: () => boolean): SlowMode {
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
  const render = () => {
    const el = box();
    if (!el) return;
    el.hidden = seconds <= 0 || !shown();
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
    posted(waitSeconds?: number) {
      if (seconds <= 0) return;
      until = Date.now() + (waitSeconds ?? seconds) * 1000;
      if (!timer) timer = setInterval(render, 1000);
      render();
    },
  };
}

/**
 * The typing line and its remembered off switch, placed by `place`; keystrokes in `body` say "typing". Returns
 * `posted()`: the server forgets a typist who sent their comment, so the next keystroke must say so again at
 * once, not after the rest of the send interval.
 */
export function wireTyping(o: HeatOptions, body: HTMLTextAreaElement, place: (bar: HTMLElement) => void): { posted(): void } {
  const t = o.data.strings;
  let off = remember.get(TYPING_OFF_KEY) === '1';
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
  place(bar);
  const render = () => {
    // The count includes this reader while they type: others are what the line is about.
    const others = count - (Date.now() - lastSent < TYPING_SELF_MS ? 1 : 0);
    line.textContent = others > 0 ? fill(t.typingCount, { n: others }) : '';
    line.hidden = off || others <= 0;
  };
  box.addEventListener('change', () => {
    off = !box.checked;
    remember.set(TYPING_OFF_KEY, off ? '1' : '0');
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
  return {
    posted() {
      lastSent = 0;
      render();
    },
  };
}

export function wireHeat(o: HeatOptions): HeatPage {
  const compose = () => document.getElementById('compose');
  const slow = wireSlowMode(o, () => document.getElementById('slow-mode'), () => Boolean(compose()) && !compose()!.hidden);
  const form = compose() as HTMLFormElement | null;
  const body = form?.querySelector<HTMLTextAreaElement>('#f-body');
  const typing = form && body ? wireTyping(o, body, (bar) => form.querySelector('fieldset')?.append(bar)) : null;
  wireReactions(o);
  wireHistory(o);
  wirePicks(o);
  return {
    joined: (d) => slow.joined(d),
    posted(waitSeconds?: number) {
      typing?.posted();
      slow.posted(waitSeconds);
    },
  };
}
