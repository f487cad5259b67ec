// Accessibility in real Chromium with axe-core: the article page, the thread with comments, every state of
// the forms and every console view have no serious or critical violations; tap targets on a phone are at
// least 44 px; focus lands on what appeared (展开) or on what is wrong (a failed submit).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';
import { createModerator } from '../../server/moderation/auth.service';

const AXE_SOURCE = fs.readFileSync(path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js'), 'utf8');
const PASSWORD = 'correct-horse-battery';

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** Serious and critical violations on the page as it is now (id, impact and the first few targets). */
async function axe(page: Page): Promise<string[]> {
  // evaluate, not addScriptTag: the page's CSP (script-src 'self') refuses an injected inline script.
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(`${AXE_SOURCE}\n;0`);
  const r = (await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] })')) as AxeResult;
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} @ ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function seed(s: TestServer): Promise<number> {
  const r = reader(s);
  const root = (await postComment(r, s.article.slug, { authorName: '楼主', body: '有 **加粗** 和 *强调* 的评论\n\n> 一段引用' })).body.comment.id;
  for (let i = 1; i <= 5; i++) await postComment(reader(s), s.article.slug, { authorName: `回复者${i}`, body: `第 ${i} 条回复`, parentId: root });
  await postComment(reader(s), s.article.slug, { authorName: 'Reader', body: 'An English comment with a link https://example.com/a' });
  return root;
}

describe('accessibility of the article page (axe-core)', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('has no serious or critical violations: empty page, thread, reply, edit, report, delete and error states', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.locator('#presence:not([hidden])').waitFor();
    expect(await axe(page)).toEqual([]);

    const root = await seed(s);
    await page.reload();
    await page.locator('#presence:not([hidden])').waitFor();
    expect(await axe(page)).toEqual([]);

    // A failed submit: focus on the first invalid field, described by the message.
    await page.click('#compose button[type=submit]');
    await page.locator('#form-error:not([hidden])').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-name');
    expect(await page.getAttribute('#f-name', 'aria-describedby')).toBe('form-error');
    expect(await axe(page)).toEqual([]);

    // 展开: focus moves to the first reply that appeared.
    await page.locator(`#c-${root} > .act-more-replies`).click();
    await page.locator(`#c-${root} > .act-more-replies`).waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.closest('li.comment')?.textContent)).toContain('第 4 条回复');

    await page.locator(`#c-${root} > .comment-main [data-act=reply]`).click();
    await page.locator(`#c-${root} > #compose`).waitFor();
    expect(await axe(page)).toEqual([]);

    await page.fill('#f-name', '自己');
    await page.fill('#f-body', '我的回复');
    await page.click('#compose button[type=submit]');
    const mine = page.locator('li.comment.is-mine').first();
    await mine.waitFor();
    await mine.locator('[data-act=edit]').click();
    await mine.locator('.edit-form').waitFor();
    expect(await axe(page)).toEqual([]);
    await mine.locator('.edit-form .btn-link').click();
    await mine.locator('[data-act=delete]').click();
    await mine.locator('.delete-confirm').waitFor();
    expect(await axe(page)).toEqual([]);
    await page.locator(`#c-${root} > .comment-main [data-act=report]`).click();
    await page.locator(`#c-${root} .report-form`).waitFor();
    expect(await axe(page)).toEqual([]);
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  it('has no violations without JavaScript, on the error page of a refused post', async () => {
    // The page's own scripts never load (as without JavaScript); axe still runs through the test's evaluate.
    const { page } = await newPage(browser);
    const context = page.context();
    await page.route(/\/assets\/js\//, (route) => route.abort());
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await Promise.all([page.waitForURL(/\?form=/), page.click('#compose button[type=submit]')]);
    expect(await axe(page)).toEqual([]);
    await context.close();
  });

  it('gives every control in the thread a tap target of at least 44 px on a phone', async () => {
    await seed(s);
    const { page } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.locator('#presence:not([hidden])').waitFor();
    const small = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#comments a, #comments button, #write-bar'))
        .filter((el) => el.offsetParent !== null && !el.closest('.comment-content'))
        .map((el) => ({ what: `${el.className || el.tagName} "${(el.textContent ?? '').trim().slice(0, 12)}"`, h: el.getBoundingClientRect().height }))
        .filter((x) => x.h < 44),
    );
    expect(small).toEqual([]);
  });
});

async function openConsole(browser: Browser, s: TestServer) {
  const mod = await newPage(browser);
  await mod.page.goto(`${s.url}/admin/login`);
  expect(await axe(mod.page)).toEqual([]);
  await mod.page.getByLabel('用户名').fill('a11y.admin');
  await mod.page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([mod.page.waitForURL(`${s.url}/admin`), mod.page.getByRole('button', { name: '登录' }).click()]);
  await mod.page.locator('#conn:has-text("实时连接正常")').waitFor();
  return mod;
}

describe('accessibility of the moderation console (axe-core)', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('has no serious or critical violations on the login page and in every view', async () => {
    await createModerator(s.app.deps, 'a11y.admin', PASSWORD, 'admin');
    await seed(s);
    const { page, errors } = await openConsole(browser, s);
    const views = await page.locator('nav a[data-view]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.view!));
    expect(views.length).toBeGreaterThanOrEqual(8);
    const found: Record<string, string[]> = {};
    for (const view of views) {
      await page.locator(`nav a[data-view="${view}"]`).click();
      await page.waitForTimeout(300);
      const v = await axe(page);
      if (v.length) found[view] = v;
    }
    expect(found).toEqual({});
    expect(errors).toEqual([]);
  });
});
