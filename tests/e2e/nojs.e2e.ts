// With JavaScript off: a refused post shows at the form, keeps what was typed and survives a reload;
// 展开 N 条回复 is a link that works; controls that need JavaScript are not shown.
import { useBrowser } from './browser';
import { postComment, reader, useTestServer } from '../helpers/server';

describe('the article page without JavaScript', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('shows a refusal at the form with the text kept, on a URL that survives a reload', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    for (let i = 0; i < 8; i++) await postComment(reader(s), s.article.slug, { body: `占位评论 ${i}\n\n让页面长一些。` });
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.fill('#f-body', '没有写名字的评论');
    await Promise.all([page.waitForURL(/\?form=[\w-]+#compose$/), page.click('#compose button[type=submit]')]);
    const check = async () => {
      const error = page.locator('#form-error');
      expect(await error.innerText()).toBe('昵称 不能为空。');
      expect(await page.inputValue('#f-body')).toBe('没有写名字的评论');
      expect(await page.locator('#f-name').getAttribute('aria-invalid')).toBe('true');
      // The message is on screen, not thousands of pixels above.
      const box = (await error.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y).toBeLessThan(844);
    };
    await check();
    await page.reload();
    await check();
    await context.close();
  });

  it('opens 展开 N 条回复 as a page and hides the buttons that need JavaScript', async () => {
    const r = reader(s);
    const root = (await postComment(r, s.article.slug, { authorName: '楼主', body: '一楼有很多回复' })).body.comment.id;
    for (let i = 1; i <= 5; i++) await postComment(r, s.article.slug, { body: `楼中回复 ${i}`, parentId: root });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    expect(await page.locator(`#c-${root} > .comment-main .act-like`).isVisible()).toBe(false);
    expect(await page.locator(`#c-${root} > .comment-main .act-reply`).isVisible()).toBe(true);
    await page.locator(`#c-${root} .act-more-replies`).click();
    await page.waitForURL(new RegExp(`\\?replies=${root}#c-${root}$`));
    await page.locator(`#c-${root} li.comment:has-text("楼中回复 5")`).waitFor();
    expect(await page.locator(`#c-${root} ol.replies > li.comment`).count()).toBe(5);
    await context.close();
  });
});
