// What rounds off the thread in the browser: 加载更多 says how many remain, the compose box previews the
// Markdown exactly as the server will render it, the article shows its byline and date, and staff posts
// carry a badge that only a signed-in moderator can earn.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';
import { createMod, PASSWORD } from '../helpers/moderation';

const AXE_SOURCE = fs.readFileSync(path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js'), 'utf8');

/** Serious and critical axe-core violations on the page as it is now. */
async function axe(page: Page): Promise<string[]> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(`${AXE_SOURCE}\n;0`);
  const r = (await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] })')) as { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] };
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id} @ ${v.nodes[0]?.target.join(' ')}`);
}

async function open(s: TestServer, page: Page, query = ''): Promise<void> {
  await page.goto(`${s.url}/articles/${s.article.slug}${query}`);
  await page.locator('#presence:not([hidden])').waitFor();
}

describe('加载更多 says how many remain', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('counts the top-level comments on the later pages, and counts down as pages load', async () => {
    const r = reader(s);
    const ids: number[] = [];
    for (let i = 1; i <= 46; i++) ids.push((await postComment(r, s.article.slug, { body: `第 ${i} 条` })).body.comment.id);
    // Replies are not counted: they come with their thread.
    expect((await postComment(r, s.article.slug, { body: '一条回复', parentId: ids[0] })).status).toBe(201);
    const { page, errors } = await newPage(browser);
    await open(s, page);
    const more = page.locator('#load-more');
    expect(await more.innerText()).toBe('加载更多（还有 26 条）');
    await more.click();
    await page.locator('#thread > li.comment').nth(39).waitFor();
    expect(await more.innerText()).toBe('加载更多（还有 6 条）');
    await more.click();
    await more.waitFor({ state: 'detached' });
    expect(await page.locator('#thread > li.comment').count()).toBe(46);
    expect(errors).toEqual([]);
  });
});

describe('the compose box previews the Markdown subset', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('shows exactly the markup the server stores, with every tag the reader typed escaped', async () => {
    const { page, errors } = await newPage(browser);
    await open(s, page);
    const text = '> 引用一句\n\n**粗体** 和 *强调*，`代码` <img src=x onerror="window.pwned=1"> 见 https://example.com/a?b=1。\n第二行';
    await page.fill('#f-name', '预览者');
    await page.fill('#f-body', text);
    await page.getByRole('button', { name: '预览' }).click();
    const preview = page.locator('#f-body-preview .comment-content');
    await preview.locator('strong').waitFor();
    const shown = await preview.innerHTML();
    expect(await page.locator('#f-body-preview img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();

    // Typing while it is open updates it.
    await page.locator('#f-body').press('End');
    await page.locator('#f-body').type('，再加一句');
    await preview.locator('text=再加一句').waitFor();

    await page.click('#compose button[type=submit]');
    const li = page.locator('#thread li.comment', { hasText: '再加一句' });
    await li.waitFor();
    const stored = await li.locator('.comment-content').first().innerHTML();
    const again = shown.replace('第二行', '第二行，再加一句');
    expect(stored.trim()).toBe(again.trim());
    // Sent: the box is empty and the preview closed again.
    expect(await page.locator('#f-body-preview').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('says there is nothing to preview for an empty box', async () => {
    const { page, errors } = await newPage(browser);
    await open(s, page);
    await page.getByRole('button', { name: '预览' }).click();
    expect(await page.locator('#f-body-preview').innerText()).toBe('（没有内容）');
    await page.getByRole('button', { name: '收起预览' }).click();
    expect(await page.locator('#f-body-preview').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('byline and staff badges', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('shows the article byline and date line', async () => {
    const a = await s.store.articles.insert({ slug: 'signed', title: '有署名的文章', body: '正文。', createdAt: Date.now(), byline: '张三', publishedAt: Date.UTC(2025, 4, 3, 12) });
    const { page, errors } = await newPage(browser);
    await page.goto(`${s.url}/articles/${a.slug}`);
    expect(await page.locator('.article-meta').innerText()).toMatch(/^作者：张三 2025年5月3日 评论 0/);
    expect(await page.locator('.article-date').getAttribute('datetime')).toBe('2025-05-03T12:00:00.000Z');
    expect(errors).toEqual([]);
  });

  it('lets a signed-in moderator post as staff from the page; readers see the badge live and are never offered it', async () => {
    await createMod(s, 'editor.li', 'moderator');
    const { page: staff, errors } = await newPage(browser);
    await staff.goto(`${s.url}/admin/login`);
    await staff.getByLabel('用户名').fill('editor.li');
    await staff.getByLabel('密码').fill(PASSWORD);
    await Promise.all([staff.waitForURL(`${s.url}/admin`), staff.getByRole('button', { name: '登录' }).click()]);

    const { page: other, errors: otherErrors } = await newPage(browser);
    await open(s, other);
    await other.locator('#f-body').focus();

    await open(s, staff);
    await staff.locator('#f-body').focus();
    await staff.locator('#f-staff').waitFor();
    await staff.fill('#f-name', '李编辑');
    await staff.fill('#f-body', '编辑部补充一句');
    await staff.locator('#f-staff').check();
    await staff.click('#compose button[type=submit]');
    const mine = staff.locator('#thread li.comment', { hasText: '编辑部补充一句' });
    await mine.locator('.badge-staff').waitFor();
    expect(await mine.locator('.badge-staff').innerText()).toBe('编辑');

    await staff.getByRole('button', { name: '预览' }).click();
    expect(await axe(staff)).toEqual([]);

    const live = other.locator('#thread li.comment', { hasText: '编辑部补充一句' });
    await live.locator('.badge-staff').waitFor();
    expect(await live.locator('.badge-staff').innerText()).toBe('编辑');
    expect(await other.locator('#f-staff').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(otherErrors).toEqual([]);
  });

  it('keeps the preview toggle and the staff option at least 44 px tall on a phone, with no axe violations', async () => {
    await s.store.articles.insert({ slug: 'phone', title: '手机上看', body: '正文。', createdAt: Date.now(), byline: '张三', publishedAt: Date.UTC(2025, 4, 3, 12) });
    await createMod(s, 'phone.mod', 'moderator');
    const { page, errors } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${s.url}/admin/login`);
    await page.getByLabel('用户名').fill('phone.mod');
    await page.getByLabel('密码').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
    await page.goto(`${s.url}/articles/phone`);
    await page.locator('#presence:not([hidden])').waitFor();
    await page.locator('#f-body').focus();
    await page.locator('#f-staff').waitFor();
    await page.fill('#f-body', '**看看**');
    await page.getByRole('button', { name: '预览' }).click();
    for (const sel of ['.preview-toggle', '.staff-option']) {
      const box = await page.locator(sel).boundingBox();
      expect([sel, box!.height >= 44]).toEqual([sel, true]);
    }
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
