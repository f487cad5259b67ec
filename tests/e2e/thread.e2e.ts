// Two readers on one article in real Chromium: one posts a comment and a reply through the form,
// the other sees both appear without reloading.
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer } from '../helpers/server';
import { signedIn } from '../helpers/moderation';

describe('the live 评论列表 in a browser', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('shows a comment and a reply posted in one page in the other page without reload', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    const url = `${s.url}/articles/${s.article.slug}`;
    await a.page.goto(url);
    await b.page.goto(url);
    // Wait until both pages joined the live room (presence shows two readers).
    await b.page.locator('#presence:has-text("2 人正在看")').waitFor();
    await b.page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));

    await a.page.fill('#f-name', '甲');
    await a.page.fill('#f-body', '第一条评论:出口管制的效果值得讨论。');
    await a.page.click('#compose button[type=submit]');
    const first = b.page.locator('#thread > li.comment', { hasText: '第一条评论' });
    await first.waitFor();
    // The author's own post appears exactly once in the author's page.
    await a.page.locator('#thread > li.comment', { hasText: '第一条评论' }).waitFor();
    expect(await a.page.locator('#thread .comment-content', { hasText: '第一条评论' }).count()).toBe(1);
    await b.page.locator('#comment-count:has-text("1")').waitFor();

    // Reply through the form under the comment.
    await a.page.locator('#thread > li.comment', { hasText: '第一条评论' }).locator('[data-act=reply]').first().click();
    await a.page.locator('#compose legend:has-text("回复 甲")').waitFor();
    await a.page.fill('#f-body', '这是一条回复。');
    await a.page.click('#compose button[type=submit]');
    const reply = first.locator('ol.replies > li.comment', { hasText: '这是一条回复' });
    await reply.waitFor();
    expect(await reply.locator('.comment-author').innerText()).toBe('甲');
    await b.page.locator('#comment-count:has-text("2")').waitFor();

    // No reload happened in the second page, and nothing went wrong in either.
    expect(await b.page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    expect(await a.page.locator('#thread .comment-content', { hasText: '这是一条回复' }).count()).toBe(1);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('renders the server thread readable without JavaScript and posts through the plain form', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.fill('#f-name', '无脚本读者');
    await page.fill('#f-body', '不用 JavaScript 也能发表。');
    await Promise.all([page.waitForURL(/#c-\d+$/), page.click('#compose button[type=submit]')]);
    await page.locator('#thread li.comment', { hasText: '不用 JavaScript 也能发表' }).waitFor();
    expect(await page.locator('#comment-count').innerText()).toBe('1');
    await context.close();
  });

  it('keeps a reader scrolled down in place and collects new comments behind the "N 条新评论" bar', async () => {
    const reader = await newPage(browser);
    for (let i = 0; i < 25; i++) {
      await s.app.deps.store.comments.insert({
        articleId: s.article.id,
        parent: null,
        authorId: null,
        newAuthorTokenHash: `seed-${i}`,
        authorName: `读者${i}`,
        body: `已有评论 ${i}\n\n第二段让评论长一些,便于滚动。`,
        html: `<p>已有评论 ${i}</p><p>第二段让评论长一些,便于滚动。</p>`,
        status: 'published',
        heldReason: null,
        ipHash: null,
        createdAt: Date.now(),
      });
    }
    await reader.page.setViewportSize({ width: 800, height: 600 });
    await reader.page.goto(`${s.url}/articles/${s.article.slug}`);
    await reader.page.locator('#presence:not([hidden])').waitFor();
    const anchor = reader.page.locator('#thread > li.comment').nth(15);
    await anchor.scrollIntoViewIfNeeded();
    const before = (await anchor.boundingBox())!.y;

    const writer = await newPage(browser);
    await writer.page.goto(`${s.url}/articles/${s.article.slug}`);
    await writer.page.fill('#f-name', '新来的');
    await writer.page.fill('#f-body', '一条新评论,不应打扰正在往下读的人。');
    await writer.page.click('#compose button[type=submit]');

    const bar = reader.page.locator('#new-bar');
    await bar.waitFor({ state: 'visible' });
    expect(await bar.innerText()).toBe('1 条新评论');
    // What the reader was looking at has not moved on screen.
    expect(Math.abs((await anchor.boundingBox())!.y - before)).toBeLessThan(2);
    expect(await reader.page.locator('#thread li.comment', { hasText: '不应打扰' }).count()).toBe(0);
    await bar.click();
    await reader.page.locator('#thread > li.comment', { hasText: '不应打扰' }).waitFor();
    expect(await bar.isHidden()).toBe(true);
    expect(reader.errors).toEqual([]);
  });

  it('moves a comment a moderator pins to the top, marked 置顶, and back when unpinned', async () => {
    const r = reader(s);
    const ids: number[] = [];
    for (const body of ['最早的一条', '中间的一条', '最新的一条']) ids.push((await postComment(r, s.article.slug, { body })).body.comment.id);
    const { page, errors } = await newPage(browser);
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.locator('#presence:not([hidden])').waitFor();
    const order = () => page.locator('#thread > li.comment').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.id)));
    expect(await order()).toEqual([ids[2], ids[1], ids[0]]);

    const mod = await signedIn(s, 'pin-mod');
    await mod.post(`/api/admin/comments/${ids[0]}/pin`, {}).expect(200);
    await page.locator(`#c-${ids[0]}.is-pinned .badge-pinned`).waitFor();
    expect(await order()).toEqual([ids[0], ids[2], ids[1]]);

    await mod.post(`/api/admin/comments/${ids[0]}/unpin`, {}).expect(200);
    await page.locator(`#c-${ids[0]}:not(.is-pinned)`).waitFor();
    expect(await order()).toEqual([ids[2], ids[1], ids[0]]);
    expect(errors).toEqual([]);
  });

  it('catches up after a dropped connection: every missed comment once, without reload', async () => {
    const r = reader(s);
    await postComment(r, s.article.slug, { body: '断线前的评论' });
    const { page, errors } = await newPage(browser);
    let blocked = false;
    await page.routeWebSocket(/socket\.io/, (ws) => {
      if (blocked) return ws.close();
      ws.connectToServer();
    });
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.locator('#presence:not([hidden])').waitFor();
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 7));

    blocked = true;
    const engine = s.app.io.engine as unknown as { clients: Record<string, { close(): void }> };
    for (const client of Object.values(engine.clients)) client.close();
    await page.locator('#live-status:has-text("连接已断开")').waitFor();
    const first = (await postComment(r, s.article.slug, { body: '断线期间的第一条' })).body.comment.id;
    await postComment(r, s.article.slug, { body: '断线期间的回复', parentId: first });
    await r.patch(`/api/comments/${first}`, { body: '断线期间的第一条(已修改)' }).expect(200);

    blocked = false;
    await page.locator('.comment-content:has-text("断线期间的第一条(已修改)")').waitFor({ timeout: 15_000 });
    await page.locator('.comment-content:has-text("断线期间的回复")').waitFor();
    await page.locator('#comment-count:has-text("3")').waitFor();
    for (const text of ['断线前的评论', '断线期间的第一条', '断线期间的回复']) {
      expect(await page.locator('.comment-content', { hasText: text }).count()).toBe(1);
    }
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(7);
    expect(errors).toEqual([]);
  });
});
