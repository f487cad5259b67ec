// The console's lists in a browser: bans name the people they are on, the article filter learns of
// articles added after the console opened, and a notice stays with the view that raised it.
import type { Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';
import { createMod, PASSWORD, signedIn } from '../helpers/moderation';

async function openConsole(s: TestServer, page: Page, username: string): Promise<void> {
  await createMod(s, username, 'admin');
  await page.goto(`${s.url}/admin/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
}

describe('the console lists', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('shows the names a banned author used, newest first, beside their id', async () => {
    const troll = reader(s);
    await postComment(troll, s.article.slug, { authorName: '小明', body: '第一条' });
    const last = (await postComment(troll, s.article.slug, { authorName: '明明', body: '第二条' })).body.comment;
    const mod = await signedIn(s, 'ban-mod');
    await mod.post('/api/admin/bans', { commentId: last.id, reason: '刷屏' }).expect(201);

    const { page, errors } = await newPage(browser);
    await openConsole(s, page, 'bans.reader');
    await page.locator('nav a[data-view="bans"]').click();
    const row = page.locator('#bans-rows tr').first();
    await row.waitFor();
    expect(await row.locator('.ban-names').innerText()).toBe('明明、小明');
    expect(await row.innerText()).toContain(`作者 #${(await s.store.comments.get(last.id))!.authorId}`);
    expect(errors).toEqual([]);
  });

  it('offers an article added after the console was opened once the filter gets focus', async () => {
    const { page, errors } = await newPage(browser);
    await openConsole(s, page, 'filter.reader');
    await page.locator('#article-filter option[value="test-article"]').waitFor({ state: 'attached' });
    await s.store.articles.insert({ slug: 'late-article', title: '后来加的文章', body: '正文。', createdAt: Date.now() });
    await page.locator('#article-filter').focus();
    await page.locator('#article-filter option[value="late-article"]').waitFor({ state: 'attached' });
    await page.locator('#article-filter').selectOption('late-article');
    expect(await page.locator('#article-filter').inputValue()).toBe('late-article');
    expect(await page.locator('#article-filter option[value="late-article"]').innerText()).toBe('后来加的文章');
    expect(errors).toEqual([]);
  });

  it('clears a notice when the moderator switches views, and drops one that arrives for a view already left', async () => {
    const troll = reader(s);
    const c = (await postComment(troll, s.article.slug, { authorName: '甲', body: '要封禁的评论' })).body.comment;
    const c2 = (await postComment(reader(s), s.article.slug, { authorName: '乙', body: '另一条' })).body.comment;
    const mod = await signedIn(s, 'notice-mod');
    await mod.post('/api/admin/bans', { commentId: c.id, reason: '一' }).expect(201);
    await mod.post('/api/admin/bans', { commentId: c2.id, reason: '二' }).expect(201);

    const { page, errors } = await newPage(browser);
    await openConsole(s, page, 'notice.reader');
    await page.locator('nav a[data-view="bans"]').click();
    await page.locator('#bans-rows button[data-lift]').first().waitFor();
    await page.locator('#bans-rows button[data-lift]').first().click();
    await page.locator('#notice:not([hidden])').waitFor();
    expect(await page.locator('#notice').innerText()).toBe('已解除');
    await page.locator('nav a[data-view="audit"]').click();
    await page.locator('#view-audit:not([hidden])').waitFor();
    expect(await page.locator('#notice').isHidden()).toBe(true);

    // A lift whose answer comes after the moderator has moved on says nothing in the new view.
    await page.locator('nav a[data-view="bans"]').click();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let seen!: () => void;
    const asked = new Promise<void>((r) => (seen = r));
    await page.route('**/api/admin/bans/*', async (route) => {
      seen();
      await held;
      await route.continue();
    });
    await page.locator('#bans-rows button[data-lift]').first().click();
    await asked;
    await page.locator('nav a[data-view="audit"]').click();
    await page.locator('#view-audit:not([hidden])').waitFor();
    // The lift's notice is raised before the list reloads: once the reload is answered, it has been decided.
    const reloaded = page.waitForResponse((r) => /\/api\/admin\/bans(\?|$)/.test(r.url()) && r.request().method() === 'GET');
    release();
    await reloaded;
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(await page.locator('#alert').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});
