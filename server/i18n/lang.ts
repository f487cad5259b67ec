// Owns picking the UI language for one request: ?lang=, then the lang cookie, then Accept-Language,
// then DEFAULT_LANG. A ?lang= choice is remembered in the cookie (the footer switcher is a plain link).
import type { Request, Response } from 'express';
import { STRINGS, type Lang, type Strings } from './strings';
import { timeFormat, type TimeFormat } from './time';

const LANGS = Object.keys(STRINGS) as Lang[];

function asLang(raw: unknown): Lang | null {
  if (typeof raw !== 'string') return null;
  const v = raw.trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'zh' || v.startsWith('zh-')) return 'zh-CN';
  return null;
}

function cookieLang(header: string | undefined): Lang | null {
  if (!header?.includes('lang')) return null;
  for (const part of header.split(';')) {
    const [k, v] = part.split('=');
    if (k?.trim() === 'lang') return asLang(v);
  }
  return null;
}

/** Accept-Language values seen, and what they pick: browsers send a few dozen distinct ones between them. */
const accepted = new Map<string, Lang | null>();
const ACCEPTED_KEPT = 500;

/** The first language of Accept-Language we speak, by q order (at most 20 entries read); worked out once per value. */
function acceptLang(header: string | undefined): Lang | null {
  if (!header) return null;
  if (header.length > 200) return rankAccepted(header);
  let lang = accepted.get(header);
  if (lang === undefined) {
    if (accepted.size >= ACCEPTED_KEPT) accepted.clear();
    accepted.set(header, (lang = rankAccepted(header)));
  }
  return lang;
}

function rankAccepted(header: string): Lang | null {
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { lang: asLang(tag), q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.lang && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.lang ?? null;
}

/** What a request or a socket handshake carries that says its language. */
export interface LangSource {
  query?: Record<string, unknown>;
  headers: { cookie?: string; 'accept-language'?: string };
}

/** The language of a request or socket handshake, without remembering a ?lang= choice. */
export function langOf(req: LangSource, fallback: Lang): Lang {
  return asLang(req.query?.lang) ?? cookieLang(req.headers.cookie) ?? acceptLang(req.headers['accept-language']) ?? fallback;
}

export function pickLang(req: Request, res: Response | null, fallback: Lang): Lang {
  const asked = asLang(req.query?.lang);
  if (asked && res) res.cookie('lang', asked, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400_000, httpOnly: false });
  return langOf(req as LangSource, fallback);
}

export function otherLang(lang: Lang): Lang {
  return LANGS.find((l) => l !== lang) ?? lang;
}

const formats = new Map<string, TimeFormat>();

/** The site's formatter for one language (built once per zone and language). */
export function siteTime(zone: string, t: Strings): TimeFormat {
  const key = `${zone}|${t.langTag}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = timeFormat(zone, t)));
  return f;
}
