// The site's time formatter (server/i18n/time.ts), served as /assets/js/time-format.js.
export interface TimeFormat {
  full(ms: number): string;
  relative(ms: number, now: number): string;
  date(ms: number): string;
}
export declare function timeFormat(zone: string, words: Record<string, string>): TimeFormat;
