// What a reader notices in the browser while the thread lives: open forms survive live updates, drafts
// survive reloads, the edit window counts down, bans and limits speak in the site's time, a dropped
// network is said at once, and a notice never hides a later error.
import type { Page } from 'playwright-core';
import { newPage, postFromPage, useBrowser } from './browser';
import { postComment, reader, useTestServer, type TestServer } from '../helpers/server';
import { signedIn } from '../helpers/moderation';

async function open(s: TestServer, page: Page): Promise<void> {
  await page.goto(`${s.url}/articles/${s.article.slug}`);
  await page.locator('#presence:not([hidden])').waitFor();
}

describe('live updates never lose what a reader is typing', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('keeps the open reply form and its text through an edit and a pin; a removal moves the draft to the main form with a note', async () => {
    const author = reader(s);
    const id = (await postComment(author, s.article.slug, { authorName: '原作者', body: '被回复的评论' })).body.comment.id;
    const { page, errors } = await newPage(browser);
    await open(s, page);
    await page.locator(`#c-${id} [data-act=reply]`).first().click();
    await page.fill('#f-body', '写了一半的回复');

    await author.patch(`/api/comments/${id}`, { body: '被回复的评论(改过)' }).expect(200);
    await page.locator(`#c-${id} .comment-content:has-text("改过")`).waitFor();
    const mod = await signedIn(s, 'live-mod');
    await mod.post(`/api/admin/comments/${id}/pin`, {}).expect(200);
    await page.locator(`#c-${id}.is-pinned`).waitFor();
    expect(await page.locator(`#c-${id} > #compose`).count()).toBe(1);
    expect(await page.inputValue('#f-body')).toBe('写了一半的回复');
    expect(await page.locator('#compose legend').innerText()).toBe('回复 原作者');

    await mod.post(`/api/admin/comments/${id}/reject`, {}).expect(200);
    await page.locator(`#c-${id}`).waitFor({ state: 'detached' });
    expect(await page.locator(`#c-${id} #compose`).count()).toBe(0);
    expect(await page.locator('#form-slot #compose').count()).toBe(1);
    expect(await page.inputValue('#f-body')).toBe('写了一半的回复');
    expect(await page.locator('#form-error').innerText()).toContain('草稿移到了这里');
    expect(errors).toEqual([]);
  });

  it("keeps an author's open edit form and a reader's open report form when their comments are updated live", async () => {
    const other = reader(s);
    const theirs = (await postComment(other, s.article.slug, { body: '别人的评论' })).body.comment.id;
    const { page, errors } = await newPage(browser);
    await open(s, page);
    const mine = await postFromPage(page, '我自己的评论');
    await page.locator(`#c-${mine} [data-act=edit]`).click();
    await page.fill(`#c-${mine} .edit-form textarea`, '我正在改的文字');
    await page.locator(`#c-${theirs} [data-act=report]`).click();
    await page.selectOption(`#c-${theirs} .report-form select`, 'off_topic');

    const mod = await signedIn(s, 'live-mod-2');
    await mod.post(`/api/admin/comments/${mine}/pin`, {}).expect(200);
    await mod.post(`/api/admin/comments/${theirs}/pin`, {}).expect(200);
    await page.locator(`#c-${mine}.is-pinned`).waitFor();
    await page.locator(`#c-${theirs}.is-pinned`).waitFor();
    expect(await page.inputValue(`#c-${mine} .edit-form textarea`)).toBe('我正在改的文字');
    expect(await page.locator(`#c-${mine} .comment-content`).isHidden()).toBe(true);
    expect(await page.inputValue(`#c-${theirs} .report-form select`)).toBe('off_topic');

    // Saving the edit closes the form and shows the new text.
    await page.locator(`#c-${mine} .edit-form button[type=submit]`).click();
    await page.locator(`#c-${mine} .comment-content:has-text("我正在改的文字")`).waitFor();
    expect(await page.locator(`#c-${mine} .edit-form`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('keeps drafts across a reload, per parent, and forgets one once it is posted', async () => {
    const parent = (await postComment(reader(s), s.article.slug, { authorName: '楼主', body: '草稿测试的楼' })).body.comment.id;
    const { page, errors } = await newPage(browser);
    await open(s, page);
    await page.fill('#f-name', '草稿人');
    await page.fill('#f-body', '主表单的草稿');
    await page.locator(`#c-${parent} [data-act=reply]`).first().click();
    expect(await page.inputValue('#f-body')).toBe('');
    await page.fill('#f-body', '回复的草稿');

    await page.reload();
    await page.locator('#presence:not([hidden])').waitFor();
    expect(await page.inputValue('#f-body')).toBe('主表单的草稿');
    expect(await page.inputValue('#f-name')).toBe('草稿人');
    expect(await page.locator('#form-error').innerText()).toContain('已恢复');
    await page.locator(`#c-${parent} [data-act=reply]`).first().click();
    expect(await page.inputValue('#f-body')).toBe('回复的草稿');

    await page.click('#compose button[type=submit]');
    await page.locator(`#c-${parent} .replies li.comment:has-text("回复的草稿")`).waitFor();
    // Back in the main form with its own draft; the posted reply's draft is gone.
    expect(await page.inputValue('#f-body')).toBe('主表单的草稿');
    await page.reload();
    await page.locator(`#c-${parent} [data-act=reply]`).first().click();
    expect(await page.inputValue('#f-body')).toBe('');
    expect(errors).toEqual([]);
  });

  it('shows the time left to edit, counts it down and removes the edit button when the window ends', async () => {
    const { page, errors } = await newPage(browser);
    await page.clock.install();
    await open(s, page);
    const id = await postFromPage(page, '限时可改的评论');
    await page.locator(`#c-${id} .edit-left:has-text("还可编辑 15 分钟")`).waitFor();
    await page.clock.fastForward('12:10');
    await page.locator(`#c-${id} .edit-left:has-text("还可编辑 3 分钟")`).waitFor();
    expect(await page.locator(`#c-${id} time`).innerText()).toBe('12 分钟前');
    await page.clock.fastForward('03:00');
    await page.locator(`#c-${id} [data-act=edit]`).waitFor({ state: 'detached' });
    expect(await page.locator(`#c-${id} .edit-left`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("tells a banned reader the ban's end in the site's time zone, never as a raw ISO time", async () => {
    const { page } = await newPage(browser);
    await open(s, page);
    const id = await postFromPage(page, '将被封禁的人');
    const mod = await signedIn(s, 'ban-mod');
    await mod.post('/api/admin/bans', { commentId: id, scope: 'author', reason: '刷屏', removeComments: false, durationMinutes: 30 }).expect(201);
    await page.fill('#f-body', '封禁后再发');
    await page.click('#compose button[type=submit]');
    const text = await page.locator('#form-error:not([hidden])').innerText();
    expect(text).toMatch(/你已被禁言至 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d GMT\+8/);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('notices a dropped network at once: presence greys out, a post says the network is why and keeps the draft', async () => {
    const { page, errors } = await newPage(browser);
    await open(s, page);
    await page.context().setOffline(true);
    await page.locator('#live-status:has-text("连接已断开")').waitFor();
    expect(await page.locator('#presence.is-stale').count()).toBe(1);
    await page.fill('#f-name', '断网的人');
    await page.fill('#f-body', '断网时写的评论');
    await page.click('#compose button[type=submit]');
    await page.locator('#form-error:has-text("网络已断开，评论没有发出")').waitFor();
    expect(await page.inputValue('#f-body')).toBe('断网时写的评论');

    await page.context().setOffline(false);
    await page.locator('#presence:not(.is-stale)').waitFor({ timeout: 15_000 });
    await page.locator('#live-status').waitFor({ state: 'hidden' });
    await page.click('#compose button[type=submit]');
    await page.locator('#thread li.comment:has-text("断网时写的评论")').waitFor();
    expect(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))).toEqual([]);
  });

  it("does not let a notice's timer erase a later error", async () => {
    const mod = await signedIn(s, 'pre-mod');
    await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: 'pre' }).expect(200);
    try {
      const { page } = await newPage(browser);
      await page.clock.install();
      await open(s, page);
      await postFromPage(page, '先审后发的评论');
      await page.locator('#form-error.is-notice:has-text("等待审核")').waitFor();
      await page.fill('#f-body', '');
      await page.click('#compose button[type=submit]');
      await page.locator('#form-error:not(.is-notice):has-text("不能为空")').waitFor();
      await page.clock.fastForward('00:10');
      expect(await page.locator('#form-error').innerText()).toContain('不能为空');
      expect(await page.locator('#f-body').getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-body');
    } finally {
      await mod.patch(`/api/admin/articles/${s.article.slug}`, { moderationMode: null }).expect(200);
    }
  });

  it('shows the reporter 已举报 even when that report hides the comment', async () => {
    const admin = await signedIn(s, 'settings-admin', 'admin');
    await admin.patch('/api/admin/settings', { reportThreshold: 1 }).expect(200);
    const id = (await postComment(reader(s), s.article.slug, { body: '会被举报藏起来的评论' })).body.comment.id;
    const { page, errors } = await newPage(browser);
    await open(s, page);
    // A reader with a published comment weighs a full report.
    await postFromPage(page, '举报人自己的评论');
    await page.locator(`#c-${id} [data-act=report]`).click();
    await page.locator(`#c-${id} .report-form button[type=submit]`).click();
    await page.locator('#toast:has-text("已举报")').waitFor();
    await page.locator(`#c-${id}`).waitFor({ state: 'detached' });
    expect(await page.locator('#toast').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('the rate-limit message', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true, env: { RATE_POST_AUTHOR: '1/30' } });

  it('counts down the seconds until the next post may go', async () => {
    const { page } = await newPage(browser);
    await open(s, page);
    await postFromPage(page, '第一条');
    await page.fill('#f-body', '太快的第二条');
    await page.click('#compose button[type=submit]');
    const msg = page.locator('#form-error:has-text("发言太频繁")');
    await msg.waitFor();
    const first = Number(/(\d+) 秒/.exec(await msg.innerText())![1]);
    await page.waitForFunction((n) => {
      const m = /(\d+) 秒/.exec(document.getElementById('form-error')!.textContent ?? '');
      return m !== null && Number(m[1]) < n;
    }, first);
    expect(await page.inputValue('#f-body')).toBe('太快的第二条');
  });
});
