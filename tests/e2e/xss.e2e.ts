// XSS in a real browser: payloads posted as names, bodies, an article title, a report note and a ban reason
// must never run, neither in the server render, nor in the live client render of pages already open, nor in
// the moderation console. Checked twice: with the CSP, and with the CSP bypassed (escaping alone must hold).
/// <reference lib="dom" />
import request from 'supertest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newPage } from './browser';
import { startServer, type TestServer } from '../helpers/server';
import { createModerator } from '../../server/moderation/auth.service';
import { normalizeName } from '../../server/comments/comments.schema';

const TITLE = '<img src=x onerror=window.__xss=99>"\'</title><script>window.__xss=98</script>';
const NAMES = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror=window.__xss=2>',
  '"><svg onload=window.__xss=3>',
  "'><img src=x onerror=__xss=4>",
  '</bdi></span><script>__xss=5</script>',
  '${window.__xss=6}',
  '<%= window.__xss=7 %>',
  '{{constructor.constructor("__xss=8")()}}',
  'javascript:window.__xss=9',
  "$' $` $& <i onclick=__xss=10>",
];
const BODIES = [
  '<script>window.__xss=11</script>',
  '<img src=x onerror="window.__xss=12">',
  '<svg><script>window.__xss=13</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=14>',
  '[点我](javascript:window.__xss=15)',
  'javascript:window.__xss=16',
  'https://example.com/"onmouseover="window.__xss=17" 链接',
  'https://example.com/<img/src/onerror=window.__xss=18>',
  '</script><script>window.__xss=19</script>',
  '<!--<script>-->window.__xss=20',
  '`${window.__xss=21}`',
  '**<img src=x onerror=window.__xss=22>**',
  '`<img src=x onerror=window.__xss=23>`',
  '> <img src=x onerror=window.__xss=24>\n> > <svg onload=window.__xss=24>',
  '<iframe srcdoc="<script>parent.__xss=25</script>"></iframe>',
  '<a href="javascript:window.__xss=26">点我</a>',
  '"\'><img src=x onerror=window.__xss=27>',
  '<details open ontoggle=window.__xss=28>',
  '<style>*{background:url("javascript:window.__xss=29")}</style>',
  '\u2028</script><script>window.__xss=30</script>',
  "<%- '<img src=x onerror=window.__xss=31>' %>",
  '<img src=x onerror="document.title=\'XSS\'">',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=32>">',
  '<form><button formaction=javascript:window.__xss=33>x</button></form>',
  'http://a.example/?"><script>window.__xss=34</script>',
  '<base href="javascript:/a/-alert(1)///////"><a href=../x>x</a> __xss=35',
];
const NOTE = '<img src=x onerror=window.__xss=40>';
const REASON = '"><svg onload=window.__xss=41>';
const PASSWORD = 'xss-admin-password-1';

/** What a page may contain; anything an injection would add (img, svg, inline script, on*, javascript:) is refused. */
async function expectClean(page: Page, title: string): Promise<void> {
  const found = await page.evaluate(() => {
    const w = window as unknown as { __xss?: unknown };
    const bad: string[] = [];
    if (w.__xss !== undefined) bad.push(`__xss=${String(w.__xss)}`);
    const banned = 'img, svg, math, iframe, object, embed, style, mglyph, noscript, base, frame, frameset, link:not([rel=stylesheet]):not([rel=icon])';
    for (const el of Array.from(document.body.querySelectorAll(banned))) bad.push(`element ${el.outerHTML.slice(0, 80)}`);
    for (const s of Array.from(document.querySelectorAll('script'))) {
      if (!s.src && s.type !== 'application/json') bad.push(`inline script ${s.outerHTML.slice(0, 80)}`);
    }
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        if (/^on/i.test(a.name) || a.name === 'srcdoc' || a.name === 'formaction') bad.push(`attribute ${a.name} on ${el.tagName}`);
        if (/^(href|src|action)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(`${a.name}=${a.value}`);
      }
    }
    return { bad, title: document.title };
  });
  expect(found.bad).toEqual([]);
  // The console prefixes its title with the live pending count, "(3) 审核台 · 议论"; a payload would change the rest.
  const base = (t: string) => t.replace(/^\(\d+\) /, '');
  expect(base(found.title)).toBe(base(title));
}

describe('XSS payloads in a real browser', () => {
  let s: TestServer;
  let browser: Browser;
  let bypass: BrowserContext;
  let slug: string;
  let pageTitle: string;
  let live: { page: Page; errors: string[] };
  let liveNoCsp: Page;
  let published = 0;
  let heldIds: number[] = [];
  const url = () => `${s.url}/articles/${slug}`;

  /** A page whose CSP is switched off: if escaping failed anywhere, a payload would run here. */
  const openNoCsp = async () => {
    const page = await bypass.newPage();
    await page.goto(url());
    await page.locator('#presence:not([hidden])').waitFor();
    return page;
  };

  const threadCount = (page: Page) => page.locator('#thread li.comment').count();
  const waitForCount = async (page: Page, n: number) => {
    await page.waitForFunction(
      (want) => {
        document.querySelector<HTMLButtonElement>('#new-bar:not([hidden])')?.click();
        return document.querySelectorAll('#thread li.comment').length >= want;
      },
      n,
      { timeout: 15_000 },
    );
  };

  /** Signs in through the login form and visits every console view that shows user text. */
  const walkConsole = async (page: Page) => {
    await page.goto(`${s.url}/admin/login`);
    await page.fill('#username', 'xssadmin');
    await page.fill('#password', PASSWORD);
    await page.click('form.login-form button[type=submit]');
    await page.waitForURL(`${s.url}/admin`);
    const consoleTitle = await page.title();
    const queues: [string, number][] = [['#pending', heldIds.length], ['#reported', 1], ['#published', 10]];
    for (const [hash, atLeast] of queues) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.waitForFunction((n) => document.querySelectorAll('#queue > li').length >= n, atLeast, { timeout: 15_000 });
      await expectClean(page, consoleTitle);
    }
    await expect(page.locator('#queue').innerText()).resolves.toContain(normalizeName(NAMES[0]));
    for (const [hash, rows] of [['#bans', '#bans-rows'], ['#audit', '#audit-rows'], ['#articles', '#articles-rows']]) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.locator(`${rows} > tr`).first().waitFor();
      await expectClean(page, consoleTitle);
    }
    await page.evaluate(() => (location.hash = '#bans'));
    await expect(page.locator('#bans-rows').innerText()).resolves.toContain(normalizeName(REASON));
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    bypass = await browser.newContext({ locale: 'zh-CN', bypassCSP: true, viewport: { width: 1280, height: 4000 } });
    s = await startServer({ realClock: true });
    slug = (await s.store.articles.insert({ slug: 'xss', title: TITLE, body: '<img src=x onerror=window.__xss=97>\n第二段', createdAt: Date.now() })).slug;
    pageTitle = `${TITLE} · 议论`;

    live = await newPage(browser);
    await live.page.setViewportSize({ width: 1280, height: 4000 });
    await live.page.goto(url());
    await live.page.locator('#presence:not([hidden])').waitFor();
    liveNoCsp = await openNoCsp();

    const post = (authorName: string, body: string, parentId?: number) =>
      request(s.url).post(`/api/articles/${slug}/comments`).set('Origin', s.origin).send({ authorName, body, ...(parentId ? { parentId } : {}) });
    for (const [i, body] of BODIES.entries()) {
      const res = await post(NAMES[i % NAMES.length], body);
      expect(res.status).toBe(201);
      if (res.body.comment.status === 'published') published++;
      else heldIds.push(res.body.comment.id);
    }
    // A reply chain deeper than the nesting limit, so "@name" is rendered from a hostile name too.
    let parent = 0;
    for (const [depth, name] of NAMES.slice(0, 6).entries()) {
      const res = await post(name, `第 ${depth} 层 <img src=x onerror=window.__xss=50>`, parent || undefined);
      expect(res.body.comment.status).toBe('published');
      parent = res.body.comment.id;
      published++;
    }
    // One through the open page's own form (the author's own render path).
    await live.page.fill('#f-name', NAMES[1]);
    await live.page.fill('#f-body', '<img src=x onerror=window.__xss=60> 从表单发的');
    await live.page.click('#compose button[type=submit]');
    published++;
    expect(heldIds.length).toBeGreaterThan(0);
  }, 60_000);

  afterAll(async () => {
    await bypass?.close();
    await browser?.close();
    await s?.close();
  });

  it('renders every payload as text in pages that were already open (live client render)', async () => {
    await waitForCount(live.page, published);
    await waitForCount(liveNoCsp, published);
    for (const page of [live.page, liveNoCsp]) {
      await expectClean(page, pageTitle);
      const names = await page.locator('#thread .comment-author bdi').allInnerTexts();
      for (const n of NAMES) expect(names).toContain(normalizeName(n));
    }
    expect(await live.page.locator('.comment-replyto').count()).toBeGreaterThan(0);
    expect(live.errors).toEqual([]);
  });

  it('renders every payload as text in a fresh server-rendered page', async () => {
    const fresh = await newPage(browser);
    await fresh.page.goto(url());
    expect(await threadCount(fresh.page)).toBeGreaterThan(0);
    await expectClean(fresh.page, pageTitle);
    const noCsp = await openNoCsp();
    await expectClean(noCsp, pageTitle);
    expect(await noCsp.locator('h1.article-title').innerText()).toBe(TITLE);
    expect(fresh.errors).toEqual([]);
    await fresh.page.context().close();
    await noCsp.close();
  });

  it('renders payloads, report notes and ban reasons as text in the moderation console', async () => {
    await createModerator(s.app.deps, 'xssadmin', PASSWORD, 'admin');
    const api = request.agent(s.url);
    expect((await api.post('/api/admin/login').set('Origin', s.origin).send({ username: 'xssadmin', password: PASSWORD })).status).toBe(200);
    const list = await request(s.url).get(`/api/articles/${slug}/comments?limit=50`);
    const [first, second] = list.body.comments as { id: number }[];
    const reporter = request.agent(s.url);
    expect((await reporter.post(`/api/comments/${first.id}/report`).set('Origin', s.origin).send({ reason: 'abuse', note: NOTE })).status).toBe(201);
    expect((await api.post('/api/admin/bans').set('Origin', s.origin).send({ commentId: second.id, scope: 'author', reason: REASON })).status).toBe(201);

    const withCsp = await newPage(browser);
    await walkConsole(withCsp.page);
    expect(withCsp.errors).toEqual([]);
    await withCsp.page.context().close();
    const noCspContext = await browser.newContext({ locale: 'zh-CN', bypassCSP: true });
    await walkConsole(await noCspContext.newPage());
    await noCspContext.close();

    // Approving the held payloads sends them live to the readers' open pages; still only text.
    const approved = await api.post('/api/admin/comments/bulk').set('Origin', s.origin).send({ ids: heldIds, action: 'approve' });
    expect(approved.status).toBe(200);
    await waitForCount(live.page, published + heldIds.length);
    await waitForCount(liveNoCsp, published + heldIds.length);
    await expectClean(live.page, pageTitle);
    await expectClean(liveNoCsp, pageTitle);
    expect(live.errors).toEqual([]);
  });
});
