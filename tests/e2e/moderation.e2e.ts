// The moderation console in real Chromium: a moderator signs in through the form, handles comments with
// the keyboard, and both the console and a reader's page follow every change live, without reloads.
import type { Browser, Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';
import { createModerator } from '../../server/moderation/auth.service';

const PASSWORD = 'correct-horse-battery';

/** Records CSP violations in the page (Chromium also logs them as console errors, which newPage collects). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  // Runs inside the page (a string: the test's TypeScript has no DOM types).
  await page.addInitScript(`
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  `);
  return () => page.evaluate('window.__csp') as Promise<string[]>;
}

async function openConsole(browser: Browser, s: TestServer) {
  const mod = await newPage(browser);
  const csp = await watchCsp(mod.page);
  await mod.page.goto(`${s.url}/admin/login`);
  await mod.page.getByLabel('用户名').fill('zhang.admin');
  await mod.page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([mod.page.waitForURL(`${s.url}/admin`), mod.page.getByRole('button', { name: '登录' }).click()]);
  await mod.page.locator('#conn:has-text("实时连接正常")').waitFor();
  return { ...mod, csp };
}

async function openReader(browser: Browser, s: TestServer) {
  const r = await newPage(browser);
  const csp = await watchCsp(r.page);
  await r.page.goto(`${s.url}/articles/${s.article.slug}`);
  // Joined the live room once presence shows.
  await r.page.locator('#presence:has-text("人正在看")').waitFor();
  await r.page.evaluate('window.__marker = 7');
  const notReloaded = async () => (await r.page.evaluate('window.__marker')) === 7;
  return { ...r, csp, notReloaded };
}

describe('the moderation console in a browser', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });
  beforeEach(async () => {
    await createModerator(s.app.deps, 'zhang.admin', PASSWORD, 'admin');
  });

  it('shows the server error on a failed sign-in and keeps the username', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${s.url}/admin/login`);
    await page.getByLabel('用户名').fill('zhang.admin');
    await page.getByLabel('密码').fill('wrong-password-here');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').waitFor();
    expect(page.url()).toBe(`${s.url}/admin/login`);
    expect(await page.getByLabel('用户名').inputValue()).toBe('zhang.admin');
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });

  it('rejects a published comment with the keyboard and the reader loses it without reload', async () => {
    const author = reader(s);
    const posted = await postComment(author, s.article.slug, { authorName: '<b>读者甲</b>', body: '出口管制**不会**奏效。' });
    expect(posted.status).toBe(201);
    const id: number = posted.body.comment.id;

    const rd = await openReader(browser, s);
    await rd.page.locator(`#c-${id}`, { hasText: '出口管制不会奏效' }).waitFor();

    const mod = await openConsole(browser, s);
    await mod.page.getByRole('link', { name: '已发布' }).click();
    const item = mod.page.locator(`#item-${id}`);
    await item.waitFor();
    // The author's name is text, never markup; the sanitized body keeps its emphasis.
    expect(await item.locator('.item-author').innerText()).toBe('<b>读者甲</b>');
    expect(await item.locator('.item-content strong').innerText()).toBe('不会');
    expect(await item.locator('.item-article').innerText()).toContain(s.article.title);

    // r opens the reason field; letters typed there are text, not shortcuts; Enter confirms.
    await mod.page.keyboard.press('r');
    const reason = item.getByLabel('拒绝原因（可选）');
    expect(await mod.page.evaluate('document.activeElement.id')).toBe(`reject-reason-${id}`);
    await mod.page.keyboard.type('jk 离题');
    expect(await reason.inputValue()).toBe('jk 离题');
    await mod.page.keyboard.press('Enter');

    await item.waitFor({ state: 'detached' });
    await mod.page.locator('#notice:has-text("已拒绝")').waitFor();
    await rd.page.locator(`#c-${id}`).waitFor({ state: 'detached' });
    expect(await rd.notReloaded()).toBe(true);
    expect((await s.store.comments.get(id))!.status).toBe('rejected');

    // The rejected list and the audit log show what happened and why.
    await mod.page.getByRole('link', { name: '已拒绝' }).click();
    await mod.page.locator(`#item-${id}`, { hasText: '处理备注：jk 离题' }).waitFor();
    await mod.page.getByRole('link', { name: '审核日志' }).click();
    const row = mod.page.locator('#audit-rows tr', { hasText: '拒绝评论' });
    await row.waitFor();
    expect(await row.innerText()).toContain('zhang.admin');
    expect(await row.innerText()).toContain('jk 离题');

    expect([...mod.errors, ...rd.errors]).toEqual([]);
    expect([...(await mod.csp()), ...(await rd.csp())]).toEqual([]);
  });

  it('receives a pre-moderated comment in 待审核 live and approving it publishes it to the reader', async () => {
    const mod = await openConsole(browser, s);
    await mod.page.locator('#queue-empty').waitFor();

    // Switch the article to pre-moderation in the console's article settings.
    await mod.page.getByRole('link', { name: '文章设置' }).click();
    const mode = mod.page.getByLabel(`审核方式:${s.article.title}`);
    await mode.waitFor();
    await mode.selectOption('pre');
    await mod.page.locator('#notice:has-text("已保存")').waitFor();
    expect((await s.store.articles.getBySlug(s.article.slug))!.moderationMode).toBe('pre');
    await mod.page.getByRole('link', { name: /待审核/ }).click();
    await mod.page.locator('#queue-empty').waitFor();

    const rd = await openReader(browser, s);
    await mod.page.evaluate('window.__marker = 9');
    const first = await postComment(reader(s), s.article.slug, { authorName: '读者乙', body: '先审后发的评论。' });
    const second = await postComment(reader(s), s.article.slug, { authorName: '读者丙', body: '另一位审核员会处理这条。' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.comment.status).toBe('pending');
    const id: number = first.body.comment.id;
    const otherId: number = second.body.comment.id;

    const item = mod.page.locator(`#item-${id}`);
    await item.waitFor();
    await mod.page.locator(`#item-${otherId}`).waitFor();
    expect(await item.locator('[data-held]').innerText()).toBe('文章开启先审后发');
    await mod.page.locator('#count-pending:text-is("2")').waitFor();
    expect(await rd.page.locator(`#c-${id}`).count()).toBe(0);

    // Another moderator handles one entry: it leaves this console by itself.
    await createModerator(s.app.deps, 'li.mod', PASSWORD, 'moderator');
    const other = reader(s);
    expect((await other.post('/api/admin/login', { username: 'li.mod', password: PASSWORD })).status).toBe(200);
    expect((await other.post(`/api/admin/comments/${otherId}/reject`, { reason: '重复' })).status).toBe(200);
    await mod.page.locator(`#item-${otherId}`).waitFor({ state: 'detached' });
    await mod.page.locator('#count-pending:text-is("1")').waitFor();

    await mod.page.keyboard.press('j');
    await mod.page.keyboard.press('a');
    await item.waitFor({ state: 'detached' });
    await mod.page.locator('#count-pending:text-is("0")').waitFor();
    await rd.page.locator(`#c-${id}`, { hasText: '先审后发的评论' }).waitFor();
    expect(await rd.page.locator(`#c-${otherId}`).count()).toBe(0);
    expect(await rd.notReloaded()).toBe(true);
    expect(await mod.page.evaluate('window.__marker')).toBe(9);

    expect([...mod.errors, ...rd.errors]).toEqual([]);
    expect([...(await mod.csp()), ...(await rd.csp())]).toEqual([]);
  });
});
