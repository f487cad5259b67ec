// Owns how every time reads, on the page, in live updates and in messages: one formatter in the site's
// time zone (TIMEZONE). The browser runs this same function, served as a generated asset (js/time-format.js),
// so it must stay self-contained: no imports, no helpers from outside its body.

export interface TimeWords {
  langTag: string;
  timeJustNow: string;
  timeMinutesAgo: string;
  timeHoursAgo: string;
  timeYesterdayAt: string;
}

export interface TimeFormat {
  /** Full date, time and zone: the hover title and every message ("2026年12月3日 01:39 GMT+8"). */
  full(ms: number): string;
  /** "刚刚", "5 分钟前", "3 小时前", "昨天 14:03", "12月3日 14:03", "2025年12月3日 14:03". */
  relative(ms: number, now: number): string;
  /** The calendar date alone: "2025年5月3日" (an article's date line). */
  date(ms: number): string;
}

export function timeFormat(zone: string, w: TimeWords): TimeFormat {
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const zoneName = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'short' });
  const monthDay = new Intl.DateTimeFormat(w.langTag, { timeZone: zone, month: 'long', day: 'numeric' });
  const yearMonthDay = new Intl.DateTimeFormat(w.langTag, { timeZone: zone, year: 'numeric', month: 'long', day: 'numeric' });
  const fill = (s: string, n: number | string) => s.replace('{n}', () => String(n)).replace('{time}', () => String(n));
  return {
    full: (ms) => {
      const name = zoneName.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? zone;
      return `${yearMonthDay.format(ms)} ${clock.format(ms)} ${name}`;
    },
    date: (ms) => yearMonthDay.format(ms),
    relative(ms, now) {
      const ago = now - ms;
      if (ago < 60_000) return w.timeJustNow;
      if (ago < 3_600_000) return fill(w.timeMinutesAgo, Math.floor(ago / 60_000));
      const today = day.format(now);
      if (day.format(ms) === today) return fill(w.timeHoursAgo, Math.floor(ago / 3_600_000));
      const hm = clock.format(ms);
      if (day.format(ms) === day.format(now - 86_400_000)) return fill(w.timeYesterdayAt, hm);
      const sameYear = day.format(ms).slice(0, 4) === today.slice(0, 4);
      return `${(sameYear ? monthDay : yearMonthDay).format(ms)} ${hm}`;
    },
  };
}

/** The formatter as an ES module for the browser (see the note at the top). */
export function timeFormatScript(): string {
  return `// Generated from server/i18n/time.ts at server start.\nexport const timeFormat = ${timeFormat.toString()};\n`;
}

/** Is zone a time zone this runtime knows (TIMEZONE is checked at start)? */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
