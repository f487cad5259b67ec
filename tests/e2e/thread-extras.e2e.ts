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
