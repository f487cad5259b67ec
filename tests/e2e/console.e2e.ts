// The console's audit log in a browser: rows link to the comment with an excerpt and say what changed.
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer } from '../helpers/server';
import { createModerator } from '../../server/moderation/auth.service';
import { signedIn } from '../helpers/moderation';

const PASSWORD = 'correct-horse-battery';

describe('the audit log in the console', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('links a pin to its comment with an excerpt, claims no status change, and logs a mode reset', async () => {
    const id = (await postComment(reader(s), s.article.slug, { body: '值得置顶的一条评论，写得很长很长' })).body.comment.id;
    const mod = await signedIn(s, 'audit-mod', 'admin');
    await mod.post(`/api/admin/comments/${id}/pin`, {}).expect(200);
    await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' }).expect(200);
    await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: null }).expect(200);

    await createModerator(s.app.deps, 'audit.reader', PASSWORD, 'admin');
    const { page, errors } = await newPage(browser);
    await page.goto(`${s.url}/admin/login`);
    await page.getByLabel('用户名').fill('audit.reader');
    await page.getByLabel('密码').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
    await page.locator('nav a[data-view="audit"]').click();
    const rows = page.locator('#audit-rows tr');
    await rows.first().waitFor();
    expect(await rows.nth(0).innerText()).toContain('先审后发 → 跟随站点设置');
    const pin = rows.nth(2);
    expect(await pin.locator(`a[href="/articles/${s.article.slug}#c-${id}"]`).count()).toBe(1);
    expect(await pin.innerText()).toContain('值得置顶的一条评论');
    expect(await pin.innerText()).not.toContain('→');
    expect(errors).toEqual([]);
  });

  it('pins with p, opens the ban form with b and restores with u', async () => {
    const id = (await postComment(reader(s), s.article.slug, { body: '用键盘处理的评论' })).body.comment.id;
    await createModerator(s.app.deps, 'keys.admin', PASSWORD, 'admin');
    const { page, errors } = await newPage(browser);
    await page.goto(`${s.url}/admin/login`);
    await page.getByLabel('用户名').fill('keys.admin');
    await page.getByLabel('密码').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
    await page.locator('nav a[data-view="published"]').click();
    await page.locator(`#item-${id}`).waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('p');
    await page.locator(`#item-${id} [data-act="unpin"]`).waitFor();
    expect((await s.store.comments.get(id))!.pinnedAt).not.toBeNull();
    await page.keyboard.press('b');
    await page.locator(`#item-${id} form[data-form="ban"]:not([hidden])`).waitFor();
    await page.keyboard.press('Escape');

    const mod = await signedIn(s, 'keys-mod');
    await mod.post(`/api/admin/comments/${id}/reject`, {}).expect(200);
    await page.locator('nav a[data-view="rejected"]').click();
    await page.locator(`#item-${id}`).waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('u');
    await page.locator(`#item-${id}`).waitFor({ state: 'detached' });
    expect((await s.store.comments.get(id))!.status).toBe('published');
    expect(errors).toEqual([]);
  });
});
