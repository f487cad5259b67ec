// The embed on a host page of another site (host http://127.0.0.1:P2, Yilun http://localhost:P1) in real
// Chromium with third-party cookies blocked (proven below), under a strict host CSP: two readers live,
// offline catch-up, a foreign origin refused, SSO, the count widget, SPA navigation without socket leaks,
// the dark theme.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage, useBrowser } from './browser';
import { hostSite, type Host } from './host-site';
import { useTestServer, type TestServer } from '../helpers/server';
import { embedReader, ssoToken } from '../helpers/embed';
import { pageSlug } from '../../server/embed/embed.pages';
import { createModerator } from '../../server/moderation/auth.service';

const page = (yilun: string, body: string, extraScript = '') =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>英伟达对他忍不住了</title>
   <script src="${yilun}/embed.js" defer></script>${extraScript ? `<script src="${extraScript}" defer></script>` : ''}</head><body><h1>新闻</h1>${body}</body></html>`;

const engineClients = (s: TestServer) => (s.app.io.engine as unknown as { clientsCount: number }).clientsCount;

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('embed on another origin', () => {
  const browser = useBrowser({ thirdPartyCookies: 'blocked' });
  const s = useTestServer({ realClock: true });
  let host: Host;
  let yilun: string;
  const SECRET = 'q'.repeat(40);

  beforeEach(async () => {
    yilun = s.url.replace('127.0.0.1', 'localhost');
    host = await hostSite(yilun, {
      '/news/1': page(yilun, '<yilun-comments page-id="2025-05-nvidia" page-title="英伟达对他忍不住了"></yilun-comments>'),
      '/frame': '<!doctype html><p>Yilun 站点上的框架</p>',
      '/old': page(yilun, '<p>评论 <yilun-count page-id="old-page"></yilun-count></p><yilun-comments page-id="old-page"></yilun-comments>'),
      '/dark': page(yilun, '<yilun-comments page-id="dark-page" theme="dark"></yilun-comments>'),
      '/list': page(yilun, '<p>甲 <yilun-count page-id="c-1"></yilun-count></p><p>乙 <yilun-count page-id="c-2"></yilun-count></p>'),
      '/side': page(yilun, '<aside><yilun-recent limit="3"></yilun-recent></aside>'),
      '/spa': page(yilun, '<div id="slot"></div><button id="next">下一篇</button><button id="back">返回</button>', '/spa.js'),
      '/spa.js': `document.addEventListener('DOMContentLoaded', () => {
        const m = Yilun.mount(document.getElementById('slot'), { pageId: 'spa-1' });
        document.getElementById('next').onclick = () => m.update({ pageId: 'spa-2' });
        document.getElementById('back').onclick = () => m.update({ pageId: 'spa-1' });
        window.__m = m;
      });`,
    });
    await s.store.embed.createSite({ name: '新闻站', origins: [host.origin], moderationMode: null, ssoSecret: SECRET, ssoRequired: false, loginUrl: null }, Date.now());
  });
  afterEach(async () => host.close());

  it('runs with third-party cookies blocked: a cookie of Yilun\'s site goes first-party only, while the embed works', async () => {
    // A SameSite=None cookie on Yilun's site (localhost, any port): only third-party cookie blocking keeps it
    // from cross-site requests and frames. The same probe in a browser that allows them shows it would see it.
    const seen: { url: string; cookie: string }[] = [];
    // The first-party visit's favicon request may arrive late: it is no cross-site request.
    const spy = (req: http.IncomingMessage) => void (req.url !== '/favicon.ico' && seen.push({ url: req.url ?? '', cookie: req.headers.cookie ?? '' }));
    s.app.httpServer.prependListener('request', spy);
    const probe = async (b: Browser) => {
      const context = await b.newContext();
      await context.addCookies([{ name: 'yl_probe', value: '1', domain: 'localhost', path: '/', sameSite: 'None', secure: true }]);
      const p = await context.newPage();
      seen.length = 0;
      await p.goto(`${yilun}/embed.js`);
      const firstParty = seen.some((r) => r.url === '/embed.js' && r.cookie.includes('yl_probe'));
      seen.length = 0;
      await p.goto(`${host.origin}/news/1`);
      await p.locator('yilun-comments .empty').waitFor();
      await p.evaluate((u) => fetch(u, { credentials: 'include', mode: 'no-cors' }).then(() => undefined), `${yilun}/embed.js?probe`);
      await until(() => seen.some((r) => r.url === '/embed.js?probe'), 'the credentialed request arrived');
      const frameSrc = `${host.origin.replace('127.0.0.1', 'localhost')}/frame`;
      await p.evaluate((src) => new Promise((resolve) => document.body.append(Object.assign(document.createElement('iframe'), { src, onload: resolve }))), frameSrc);
      const frame = p.frames().find((f) => f.url() === frameSrc)!;
      const result = { firstParty, crossSite: seen.filter((r) => r.cookie.includes('yl_probe')).map((r) => r.url), requests: seen.length, frameCookie: await frame.evaluate(() => document.cookie) };
      await context.close();
      return result;
    };
    try {
      const blocked = await probe(browser);
      expect(blocked).toEqual({ firstParty: true, crossSite: [], requests: expect.any(Number), frameCookie: '' });
      expect(blocked.requests).toBeGreaterThan(2);
      const open = await launchBrowser({ thirdPartyCookies: 'allowed' });
      try {
        expect(await probe(open)).toMatchObject({ firstParty: true, crossSite: expect.arrayContaining(['/embed.js', '/embed.js?probe']), frameCookie: 'yl_probe=1' });
      } finally {
        await open.close();
      }
    } finally {
      s.app.httpServer.off('request', spy);
    }
  });

  it('lets two readers post, reply, like, edit and delete and see each other live, with no cookie', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    await a.page.goto(`${host.origin}/news/1`);
    await b.page.goto(`${host.origin}/news/1`);
    await a.page.locator('yilun-comments .empty').waitFor();
    await a.page.fill('yilun-comments input[name=authorName]', '甲');
    await a.page.fill('yilun-comments textarea[name=body]', '嵌入页上的第一条评论');
    await a.page.click('yilun-comments form.compose button[type=submit]');
    const inB = b.page.locator('yilun-comments .thread > li.comment', { hasText: '第一条评论' });
    await inB.waitFor();
    await b.page.locator('yilun-comments .presence:has-text("2 人正在看")').waitFor();

    await inB.locator('[data-act=reply]').first().click();
    await b.page.fill('yilun-comments input[name=authorName]', '乙');
    await b.page.fill('yilun-comments textarea[name=body]', '乙的回复');
    await b.page.click('yilun-comments form.compose button[type=submit]');
    const mine = a.page.locator('yilun-comments .thread > li.comment', { hasText: '第一条评论' });
    await mine.locator('ol.replies > li.comment', { hasText: '乙的回复' }).waitFor();
    await inB.locator('> .comment-main [data-act=like]').click();
    await mine.locator('> .comment-main .like-count:has-text("1")').waitFor();

    await mine.locator('> .comment-main [data-act=edit]').click();
    await a.page.fill('yilun-comments .edit-form textarea', '改过的第一条评论');
    await a.page.click('yilun-comments .edit-form button[type=submit]');
    await inB.locator('.comment-content:has-text("改过的第一条评论")').waitFor();

    const reply = a.page.locator('yilun-comments ol.replies > li.comment', { hasText: '乙的回复' });
    expect(await reply.locator('[data-act=delete]').count()).toBe(0);
    const own = b.page.locator('yilun-comments ol.replies > li.comment', { hasText: '乙的回复' });
    await own.locator('[data-act=delete]').click();
    await own.locator('.delete-confirm .act-danger').click();
    await a.page.locator('yilun-comments ol.replies > li.comment', { hasText: '乙的回复' }).waitFor({ state: 'detached' });

    expect(await a.page.context().cookies(yilun)).toEqual([]);
    expect(await a.page.evaluate(() => Object.keys(localStorage))).toEqual([expect.stringMatching(/^yilun-token:http:\/\/localhost:/)]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('catches a reader up exactly after being offline', async () => {
    const a = await newPage(browser);
    await a.page.goto(`${host.origin}/news/1`);
    const r = embedReader(s, host.origin);
    await r.post('2025-05-nvidia', { body: '离线前' });
    await a.page.locator('yilun-comments li.comment', { hasText: '离线前' }).waitFor();
    await a.page.context().setOffline(true);
    await a.page.locator('yilun-comments .status:has-text("连接已断开")').waitFor();
    await r.post('2025-05-nvidia', { body: '离线时一' });
    await r.post('2025-05-nvidia', { body: '离线时二' });
    await a.page.context().setOffline(false);
    // Back online, the embed reconnects at once (not at its socket's next back-off step) and catches up.
    await a.page.locator('yilun-comments li.comment', { hasText: '离线时二' }).waitFor({ timeout: 10000 });
    expect(await a.page.locator('yilun-comments .thread > li.comment .comment-content').allInnerTexts()).toEqual(['离线时二', '离线时一', '离线前']);
    expect(await a.page.locator('yilun-comments .comment-count').innerText()).toBe('3 条评论');
  });

  it('gives a page on an origin that is not allowed nothing: no thread, no socket', async () => {
    const other = await hostSite(yilun, { '/x': page(yilun, '<yilun-comments page-id="2025-05-nvidia"></yilun-comments>') });
    try {
      const p = await newPage(browser);
      // What Yilun answered, seen on the server (the browser itself reports a CORS failure, not a response).
      const answers: { status: number; cors: unknown }[] = [];
      const spy = (req: http.IncomingMessage, res: http.ServerResponse) =>
        req.url?.startsWith('/api/') && res.on('finish', () => answers.push({ status: res.statusCode, cors: res.getHeader('access-control-allow-origin') }));
      // Ahead of express: the app handles a request synchronously as far as it can, and a router strips its
      // mount path from req.url on the way.
      s.app.httpServer.prependListener('request', spy);
      await p.page.goto(`${other.origin}/x`);
      await p.page.locator('yilun-comments p').waitFor();
      expect(await p.page.locator('yilun-comments .thread').count()).toBe(0);
      expect(await p.page.locator('yilun-comments li.comment').count()).toBe(0);
      // The API said 403 without a CORS header (the page could not even read that), and no socket was opened.
      expect(answers).toEqual([{ status: 403, cors: undefined }]);
      expect(engineClients(s)).toBe(0);
      expect(s.app.io.of('/').sockets.size).toBe(0);
      s.app.httpServer.off('request', spy);
      await p.page.context().close();
    } finally {
      await other.close();
    }
  });

  it('signs a reader in with a valid SSO token and refuses an expired or forged one', async () => {
    const sso = async (token: string) => {
      const p = await newPage(browser);
      await p.page.goto(`${host.origin}/news/1`);
      await p.page.evaluate((t) => {
        const el = document.querySelector('yilun-comments')!;
        el.setAttribute('sso', t);
      }, token);
      return p.page;
    };
    const good = await sso(await ssoToken(SECRET, { sub: 'u-1', name: '王编辑' }));
    await good.locator('yilun-comments .signed-in:has-text("王编辑")').waitFor();
    await good.fill('yilun-comments textarea[name=body]', '登录用户的评论');
    await good.click('yilun-comments form.compose button[type=submit]');
    await good.locator('yilun-comments li.comment .comment-author:has-text("王编辑")').waitFor();

    const expired = await sso(await ssoToken(SECRET, { sub: 'u-2', name: '过期' }, Math.floor(Date.now() / 1000) - 5));
    await expired.locator('yilun-comments p:has-text("登录凭据已过期")').waitFor();
    const forged = await sso(await ssoToken('z'.repeat(40), { sub: 'u-3', name: '伪造' }));
    await forged.locator('yilun-comments p:has-text("登录凭据无效")').waitFor();
  });

  it('keeps <yilun-count> live from one batched request', async () => {
    const p = await newPage(browser);
    const requests: string[] = [];
    p.page.on('request', (r) => r.url().includes('/api/embed/counts') && requests.push(r.url()));
    await p.page.goto(`${host.origin}/list`);
    await p.page.locator('yilun-count[page-id=c-1][data-count="0"]').waitFor();
    await until(() => engineClients(s) === 1, 'the count socket connected');
    await embedReader(s, host.origin).post('c-1', { body: '计数' });
    await p.page.locator('yilun-count[page-id=c-1][data-count="1"]').waitFor();
    expect(await p.page.locator('yilun-count[page-id=c-2]').innerText()).toBe('0');
    expect(requests).toHaveLength(1);
  });

  it('shows the newest comments in <yilun-recent>, linking to their pages', async () => {
    const r = embedReader(s, host.origin);
    await r.post('side-1', { url: `${host.origin}/news/side-1`, title: '侧栏一', body: '<b>较早的</b>' });
    await r.post('side-2', { title: '侧栏二', body: '较新的' });
    const p = await newPage(browser);
    await p.page.goto(`${host.origin}/side`);
    const items = p.page.locator('yilun-recent li');
    await items.nth(1).waitFor();
    expect(await items.allInnerTexts()).toEqual(['读者：较新的 — 侧栏二', '读者：<b>较早的</b> — 侧栏一']);
    expect(await items.nth(1).locator('a').getAttribute('href')).toBe(`${host.origin}/news/side-1`);
    expect(p.errors).toEqual([]);
  });

  it('moves between pages with update() and back without leaking a socket', async () => {
    const p = await newPage(browser);
    await p.page.goto(`${host.origin}/spa`);
    await p.page.locator('#slot .empty').waitFor();
    await until(() => engineClients(s) === 1, 'one socket');
    for (let i = 0; i < 3; i++) {
      await p.page.click('#next');
      await p.page.click('#back');
    }
    await p.page.locator('#slot .empty').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    await until(() => engineClients(s) === 1, 'exactly one socket after navigating');
    // One socket, watching only the page it shows now: nothing left behind from spa-2.
    expect(s.app.io.of('/').sockets.size).toBe(1);
    const site = (await s.store.embed.listSites())[0];
    const watched = [...s.app.io.of('/').adapter.rooms].filter(([name, members]) => name.startsWith('watch:') && members.size > 0).map(([name]) => name);
    expect(watched).toEqual([`watch:${pageSlug(site.id, 'id:spa-1')}`]);
    await p.page.evaluate(() => (window as unknown as { __m: { destroy(): void } }).__m.destroy());
    await until(() => engineClients(s) === 0, 'no socket after destroy');
    expect(p.errors).toEqual([]);
  });

  it('renders the dark theme (screenshot)', async () => {
    const p = await newPage(browser, { colorScheme: 'light' });
    await p.page.goto(`${host.origin}/dark`);
    await p.page.locator('yilun-comments .yl[data-theme=dark]').waitFor();
    const bg = await p.page.locator('yilun-comments .yl').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(22, 24, 29)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-embed-'));
    await p.page.locator('yilun-comments').screenshot({ path: path.join(dir, 'embed-dark.png') });
    expect(fs.statSync(path.join(dir, 'embed-dark.png')).size).toBeGreaterThan(1000);
  });

  it('merges a page\'s thread into another in the console: the old page\'s reader and count widget follow live', async () => {
    const r = embedReader(s, host.origin);
    await r.post('old-page', { title: '旧地址', body: '旧地址上的评论' });
    await r.post('new-page', { title: '新地址', body: '新地址上的评论' });
    const reader = await newPage(browser);
    await reader.page.goto(`${host.origin}/old`);
    await reader.page.locator('yilun-comments li.comment', { hasText: '旧地址上的评论' }).waitFor();
    await reader.page.locator('yilun-count[data-count="1"]').waitFor();

    await createModerator(s.app.deps, 'merge.admin', 'correct-horse-battery', 'admin');
    const { page: admin, errors } = await newPage(browser);
    await admin.goto(`${yilun}/admin/login`);
    await admin.getByLabel('用户名').fill('merge.admin');
    await admin.getByLabel('密码').fill('correct-horse-battery');
    await Promise.all([admin.waitForURL(`${yilun}/admin`), admin.getByRole('button', { name: '登录' }).click()]);
    await admin.locator('nav a[data-view="embed"]').click();
    await admin.locator('#embed-sites form.embed-site [data-pages]').first().click();
    const site = (await s.store.embed.listSites())[0];
    const row = admin.locator(`.embed-pages li[data-slug="${pageSlug(site.id, 'id:old-page')}"]`);
    await row.locator('select[name=mergeInto]').selectOption(pageSlug(site.id, 'id:new-page'));
    await row.locator('[data-merge]').click();
    await row.locator('[data-merge]:has-text("确认合并")').click();
    await admin.locator('text=已合并，移入 1 条评论。').waitFor();
    await admin.locator(`.embed-pages li[data-slug="${pageSlug(site.id, 'id:old-page')}"]`).waitFor({ state: 'detached' });
    expect(errors).toEqual([]);

    // The old page's reader now shows the merged thread, without a reload of the host page.
    await reader.page.locator('yilun-comments li.comment', { hasText: '新地址上的评论' }).waitFor();
    expect(await reader.page.locator('yilun-comments .comment-count').innerText()).toBe('2 条评论');
    await reader.page.locator('yilun-count[data-count="2"]').waitFor();
    await r.post('new-page', { body: '合并之后' });
    await reader.page.locator('yilun-comments li.comment', { hasText: '合并之后' }).waitFor();
    await reader.page.locator('yilun-count[data-count="3"]').waitFor();
    expect(reader.errors).toEqual([]);
  });

  it('lets an admin add a site in the console, after which its pages get the thread', async () => {
    const newer = await hostSite(yilun, { '/n': page(yilun, '<yilun-comments page-id="console-made"></yilun-comments>') });
    try {
      await createModerator(s.app.deps, 'site.admin', 'correct-horse-battery', 'admin');
      const { page: admin, errors } = await newPage(browser);
      await admin.goto(`${yilun}/admin/login`);
      await admin.getByLabel('用户名').fill('site.admin');
      await admin.getByLabel('密码').fill('correct-horse-battery');
      await Promise.all([admin.waitForURL(`${yilun}/admin`), admin.getByRole('button', { name: '登录' }).click()]);
      await admin.locator('nav a[data-view="embed"]').click();
      const form = admin.locator('#embed-sites form.embed-site[data-site=""]');
      await form.locator('input[name=name]').fill('第二个站');
      await form.locator('textarea[name=origins]').fill(newer.origin);
      await form.locator('select[name=moderationMode]').selectOption('pre');
      await form.locator('button[type=submit]').click();
      await admin.locator('#embed-sites form.embed-site h2', { hasText: '第二个站' }).waitFor();
      expect(errors).toEqual([]);

      const reader = await newPage(browser);
      await reader.page.goto(`${newer.origin}/n`);
      await reader.page.locator('yilun-comments .empty').waitFor();
      expect(reader.errors).toEqual([]);
    } finally {
      await newer.close();
    }
  });

  it('never runs user text, already there or arriving live, even on a host page without CSP', async () => {
    const bare = await hostSite(yilun, { '/x': page(yilun, '<yilun-comments page-id="xss"></yilun-comments>') }, false);
    try {
      const site = (await s.store.embed.listSites())[0];
      await s.store.embed.updateSite(site.id, { ...site, origins: [...site.origins, bare.origin] });
      const names = ['<script>window.__xss=1</script>', '<img src=x onerror=window.__xss=2>', '"><svg onload=window.__xss=3>'];
      const bodies = ['<img src=x onerror="window.__xss=12">', '[点我](javascript:window.__xss=15)', '**<img src=x onerror=window.__xss=22>**'];
      const r = embedReader(s, bare.origin);
      const first = await r.post('xss', { authorName: names[0], body: bodies[0], title: '<img src=x onerror=window.__xss=98>' });
      expect(first.status).toBe(201);
      const p = await newPage(browser);
      await p.page.goto(`${bare.origin}/x`);
      await p.page.locator('yilun-comments li.comment').first().waitFor();
      for (let i = 1; i < names.length; i++) expect((await embedReader(s, bare.origin).post('xss', { authorName: names[i], body: bodies[i] })).status).toBe(201);
      await p.page.locator('yilun-comments .thread > li.comment').nth(2).waitFor();
      await p.page.locator('yilun-comments .comment-author', { hasText: names[2] }).waitFor();
      await new Promise((res) => setTimeout(res, 300));
      expect(await p.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await p.page.locator('yilun-comments img, yilun-comments script, yilun-comments svg').count()).toBe(0);
      expect(await p.page.locator('yilun-comments a[href^="javascript"]').count()).toBe(0);
    } finally {
      await bare.close();
    }
  });
});
