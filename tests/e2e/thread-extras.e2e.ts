// What rounds off the thread in the browser: 加载更多 says how many remain, the compose box previews the
// Markdown exactly as the server will render it, the article shows its byline and date, and staff posts
// carry a badge that only a signed-in moderator can earn.
import type { Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';

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
