// A heated thread in the browser: the slow-mode notice and countdown after posting, "N 人正在输入" seen from a
// second reader, reactions toggled and seen live, the "已编辑" history popover, and the 精选 filter.
// Screenshots (1280x900 and 390x844) go to docs/screenshots/heat-*.png.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';
import { PASSWORD, signedIn } from '../helpers/moderation';
import { createModerator } from '../../server/moderation/auth.service';

const SHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');

async function open(s: TestServer, page: Page): Promise<void> {
  await page.goto(`${s.url}/articles/${s.article.slug}`);
  await page.locator('#presence:not([hidden])').waitFor();
}

describe('a heated thread, as readers see it', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('shows slow mode with a countdown, the typing line to another reader, live reactions and the edit history', async () => {
    const slug = s.article.slug;
    const mod = await signedIn(s, 'heat-mod');
    const other = reader(s);
    const edited = (await postComment(other, slug, { authorName: '老张', body: '出口管制只会**加速**国产替代。' })).body.comment.id;
    await other.patch(`/api/comments/${edited}`, { body: '出口管制短期有效，长期只会**加速**国产替代。' }).expect(200);
    await other.patch(`/api/comments/${edited}`, { body: '出口管制短期有效，长期只会**加速**国产替代。<script>alert(1)</script>' }).expect(200);
    await mod.post(`/api/admin/comments/${edited}/feature`).expect(200);
    await mod.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: 120 }).expect(200);

    const a = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    const b = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await open(s, a.page);
    await open(s, b.page);
    expect(await a.page.locator('#slow-mode .slow-mode-rule').innerText()).toBe('慢速模式：每 2 分钟可发言一次');

    // Slow mode: after posting, a countdown.
    await a.page.fill('#f-name', '小李');
    await a.page.fill('#f-body', '英伟达的中国特供版又要改了吧');
    await a.page.click('#compose button[type=submit]');
    await a.page.locator('#thread li.comment', { hasText: '特供版' }).waitFor();
    await a.page.locator('#slow-mode-wait:has-text("秒后可再次发言")').waitFor();
    const posted = Number(await a.page.locator('#thread li.comment', { hasText: '特供版' }).getAttribute('data-id'));

    // Typing: reader A types, reader B sees the count (never a name) under the form.
    await a.page.locator('#f-body').pressSequentially('我觉得这件事没那么简单，还要看后续', { delay: 200 });
    await b.page.locator('#typing-line:has-text("1 人正在输入")').waitFor();
    expect(await b.page.locator('#typing-line').innerText()).not.toContain('小李');

    // Reactions: B opens the picker on A's comment and laughs; A sees the count live.
    await b.page.locator(`#c-${posted} .react-add`).click();
    await b.page.locator(`#c-${posted} .react-choices button[data-kind="laugh"]`).click();
    await b.page.locator(`#c-${posted} .reactions > button.react.is-on[data-kind="laugh"]`).waitFor();
    await a.page.locator(`#c-${posted} .reactions > button.react[data-kind="laugh"] .react-count:text("1")`).waitFor();
    expect(await a.page.locator(`#c-${posted} .reactions > button.react.is-on`).count()).toBe(0);
    await a.page.locator(`#c-${edited} .react-add`).click();
    await a.page.locator(`#c-${edited} .react-choices button[data-kind="agree"]`).click();
    await b.page.locator(`#c-${edited} .reactions > button.react[data-kind="agree"] .react-count:text("1")`).waitFor();

    // Edit history: the earlier texts, escaped, with their times.
    await b.page.locator(`#c-${edited} .comment-edited`).click();
    const pop = b.page.locator(`#c-${edited} .history-pop`);
    await pop.locator('.history-list').waitFor();
    expect(await pop.locator('.history-list > li').count()).toBe(3);
    expect(await pop.locator('.history-body').first().innerText()).toBe('出口管制只会加速国产替代。');
    expect(await pop.locator('.history-when').first().innerText()).toMatch(/写于 .+ · .+被改/);
    expect(await b.page.locator(`#c-${edited} .badge-featured`).innerText()).toBe('精选');

    await a.page.evaluate(() => document.getElementById('comments')!.scrollIntoView());
    await a.page.screenshot({ path: path.join(SHOTS, 'heat-desktop.png') });
    await b.page.locator(`#c-${edited}`).scrollIntoViewIfNeeded();
    await b.page.screenshot({ path: path.join(SHOTS, 'heat-mobile.png') });

    // 精选 filter: only picks, and a pick added live appears.
    await a.page.click('#featured-filter');
    await a.page.locator(`#featured-list #pick-${edited}`).waitFor();
    expect(await a.page.locator('#featured-list > li.comment').count()).toBe(1);
    await mod.post(`/api/admin/comments/${posted}/feature`).expect(200);
    await a.page.locator(`#featured-list #pick-${posted}`).waitFor();
    await a.page.click('#featured-filter');
    expect(await a.page.locator('#thread').isVisible()).toBe(true);

    // Slow mode off reaches the open page live.
    await mod.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: 0 }).expect(200);
    await b.page.locator('#slow-mode').waitFor({ state: 'hidden' });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('takes slow mode from the join answer when the page reconnects after missing article:updated', async () => {
    const a = await newPage(browser);
    await open(s, a.page);
    expect(await a.page.locator('#slow-mode').isHidden()).toBe(true);
    // Turned on behind the page's back (no live event reaches it), then its connection drops and comes back.
    await s.store.articles.updateSettings(s.article.id, { slowModeSeconds: 120 }, Date.now());
    for (const so of s.app.io.of('/').sockets.values()) so.conn.close();
    await a.page.locator('#slow-mode:not([hidden]) .slow-mode-rule:has-text("每 2 分钟")').waitFor();
    expect(a.errors).toEqual([]);
  });

  it('remembers a reader who turns the typing line off', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    await open(s, a.page);
    await open(s, b.page);
    await b.page.uncheck('#typing-toggle');
    await b.page.reload();
    await b.page.locator('#presence:not([hidden])').waitFor();
    expect(await b.page.isChecked('#typing-toggle')).toBe(false);
    await a.page.locator('#f-body').pressSequentially('有人在打字', { delay: 30 });
    await a.page.waitForTimeout(1500);
    expect(await b.page.locator('#typing-line').isVisible()).toBe(false);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('shows the console pulse, raises a heat alert once and turns slow mode on in one click', async () => {
    const slug = s.article.slug;
    const admin = await signedIn(s, 'pulse-admin', 'admin');
    await admin.patch('/api/admin/settings', { heatCommentsPerMinute: 1 }).expect(200);
    await createModerator(s.app.deps, 'pulse.reader', PASSWORD, 'admin');
    const { page, errors } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    await page.goto(`${s.url}/admin/login`);
    await page.getByLabel('用户名').fill('pulse.reader');
    await page.getByLabel('密码').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
    await page.locator('#conn:has-text("实时连接正常")').waitFor();
    await page.locator('nav a[data-view="pulse"]').click();
    await page.locator(`#pulse-rows th:has-text("${s.article.title}")`).waitFor();
    for (let i = 0; i < 8; i++) await postComment(reader(s), slug, { body: `刷屏第 ${i} 条，讨论越来越激烈` });
    await s.app.heat.check();
    const alert = page.locator(`.heat-alert[data-slug="${slug}"]`);
    await alert.waitFor();
    await page.locator('#pulse-rows tr.is-hot .sparkline').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'heat-console-desktop.png') });
    await alert.locator('button[data-op="slow"]').click();
    await page.locator('#notice:has-text("已开启慢速模式")').waitFor();
    expect((await s.store.articles.getBySlug(slug))!.slowModeSeconds).toBe(120);
    await s.app.heat.check();
    expect(await page.locator('.heat-alert').count()).toBe(1);
    const audit = (await admin.get('/api/admin/audit')).body.entries.map((e: { action: string }) => e.action);
    expect(audit.slice(0, 2)).toEqual(['article.settings', 'article.heat_alarm']);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'heat-console-mobile.png') });
    expect(errors).toEqual([]);
  });
});
