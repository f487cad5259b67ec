// Owns the /admin pages: the login page and form, logout, and the console page (its script then talks
// to /api/admin and the /moderation namespace).
import express, { Router, type Request, type Response } from 'express';
import { toErrorBody } from '../errors';
import type { HttpContext } from '../http/http.context';
import { strings } from '../i18n/strings';
import { otherLang, pickLang } from '../i18n/lang';
import { adminStrings } from '../i18n/admin.strings';
import { scriptJson, SITE_TZ_OFFSET_MINUTES } from '../articles/articles.page';
import type { Strings } from '../i18n/strings';

import { listArticles } from '../articles/articles.service';
import * as auth from './auth.service';
import { currentModerator, publicModerator, signIn } from './moderation.session';
import { readSessionToken, SESSION_COOKIE } from './session.cookie';

/** The words the shared time formatter needs (server/i18n/time.ts), for the console's copy of it. */
const timeWords = (t: Strings) => ({ langTag: t.langTag, timeJustNow: t.timeJustNow, timeMinutesAgo: t.timeMinutesAgo, timeHoursAgo: t.timeHoursAgo, timeYesterdayAt: t.timeYesterdayAt });

export function adminPagesRouter(ctx: HttpContext): Router {
  const r = Router();
  const { deps } = ctx;
  const form = express.urlencoded({ extended: false, limit: 4096, parameterLimit: 10 });
  // The console speaks the request's language (?lang=, cookie, Accept-Language, DEFAULT_LANG) like the pages.
  const tables = (req: Request, res: Response) => {
    const lang = pickLang(req, res, deps.config.defaultLang);
    const t = strings(lang);
    return { t, a: adminStrings(lang), langSwitch: { lang: otherLang(lang), label: t.langSwitch } };
  };

  const page = (res: Response, view: string, locals: Record<string, unknown>, status = 200) =>
    res.status(status).set('Cache-Control', 'no-store').render(view, { assets: ctx.assets, ...locals });

  r.get('/admin/login', async (req, res) => {
    if (await currentModerator(ctx, req)) return res.redirect(303, '/admin');
    const L = tables(req, res);
    page(res, 'admin/login', { ...L, pageTitle: `${L.a.loginTitle} · ${L.t.siteName}`, error: null, username: '' });
  });

  r.post('/admin/login', form, async (req, res) => {
    try {
      await signIn(ctx, req, res);
      res.redirect(303, '/admin');
    } catch (err) {
      const { status, body, headers } = toErrorBody(err, deps.log);
      if (status >= 500) throw err;
      if (headers) res.set(headers);
      const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, 64) : '';
      const L = tables(req, res);
      page(res, 'admin/login', { ...L, pageTitle: `${L.a.loginTitle} · ${L.t.siteName}`, error: body.message, username }, status);
    }
  });

  r.post('/admin/logout', form, async (req, res) => {
    const token = readSessionToken(req.headers.cookie, ctx.secrets.sessionSecret);
    if (token) await auth.logout(deps, token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/admin/login');
  });

  r.get('/admin', async (req, res) => {
    const me = await currentModerator(ctx, req);
    if (!me) return res.redirect(303, '/admin/login');
    const articles = await listArticles(deps.store);
    const { t, a, langSwitch } = tables(req, res);
    page(res, 'admin/console', {
      t,
      a,
      langSwitch,
      pageTitle: `${a.consoleTitle} · ${t.siteName}`,
      me: publicModerator(me),
      articles,
      // Failed logins of this account between its previous login and this session's (zero: no notice).
      loginNotice: me.notice.failures > 0 ? a.loginFailuresNotice.replace('{n}', String(me.notice.failures)).replace('{networks}', String(me.notice.networks)) : null,
      // The console script starts from this (read by JSON.parse, never as script).
      dataJson: scriptJson({ me: publicModerator(me), articles: articles.map(({ slug, title }) => ({ slug, title })), strings: a, tz: SITE_TZ_OFFSET_MINUTES, timeZone: deps.config.timeZone, timeWords: timeWords(t) }),
    });
  });

  return r;
}
