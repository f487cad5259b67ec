// `npm run screenshots`: real Chromium on a real server with the sample article and a lively thread,
// photographed at 1280x900 and 390x844 into docs/screenshots/ (viewport-sized PNGs, kept small); and the
// embed in its dark theme on a host page of another origin.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { postComment, reader, startServer, type TestServer } from '../helpers/server';
import { embedReader } from '../helpers/embed';
import { createModerator } from '../../server/moderation/auth.service';
import { addArticleFromFile } from '../../server/articles/articles.service';
import { paths } from '../../server/paths';

const OUT = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const SIZES = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'mobile', width: 390, height: 844 },
];
const PASSWORD = 'correct-horse-battery';

async function seedThread(s: TestServer, slug: string): Promise<void> {
  const names = ['林晓', '陈默', 'Alex Wang', '周一', '老猫'];
  const bodies = [
    '出口管制到底能不能拦住芯片？我看**执法成本**才是关键。',
    '英伟达的回应很直接，但“操纵监管机构”这个说法有点重了。',
    '有没有人读过 Anthropic 那份声明的原文？链接在这里：https://www.anthropic.com/news',
    '> 美国无法通过操纵监管机构在AI领域取胜\n\n这句话会被反复引用。',
    '一半的 AI 研究人员在中国，这个数据的出处是哪里？',
  ];
  const ids: number[] = [];
  for (let i = 0; i < bodies.length; i++) {
    ids.push((await postComment(reader(s), slug, { authorName: names[i], body: bodies[i] })).body.comment.id);
  }
  await postComment(reader(s), slug, { authorName: '陈默', body: '同意，执法才是难点。', parentId: ids[0] });
  await postComment(reader(s), slug, { authorName: 'Alex Wang', body: '我补充一点：空壳公司很难查。', parentId: ids[0] });
  for (let i = 0; i < 4; i++) await postComment(reader(s), slug, { authorName: `读者${i + 1}`, body: `第 ${i + 1} 条楼中回复`, parentId: ids[0] });
  await reader(s).post(`/api/comments/${ids[1]}/like`).expect(200);
}

async function shoot(page: Page, file: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(OUT, `${file}.png`) });
}

describe('screenshots', () => {
  it('writes the article page, the live thread and the console at both sizes', async () => {
    fs.mkdirSync(OUT, { recursive: true });
    const s = await startServer({ realClock: true });
    const browser = await launchBrowser();
    try {
      const article = await addArticleFromFile(s.store, path.join(paths.content(), 'nvidia-anthropic.zh.txt'), Date.now());
      await seedThread(s, article.slug);
      await createModerator(s.app.deps, 'editor', PASSWORD, 'admin');
      const url = `${s.url}/articles/${article.slug}`;
      for (const size of SIZES) {
        const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: size.width, height: size.height }, isMobile: size.name === 'mobile', hasTouch: size.name === 'mobile' });
        const page = await context.newPage();
        await page.goto(url);
        await page.locator('#presence:not([hidden])').waitFor();
        await shoot(page, `article-${size.name}`);

        // The thread, while another reader posts: the new comment arrives live.
        await page.locator('#comments').scrollIntoViewIfNeeded();
        await page.evaluate(() => document.getElementById('comments')!.scrollIntoView());
        await page.fill('#f-name', '我');
        await page.fill('#f-body', '正在写的草稿，刷新也不会丢。');
        await postComment(reader(s), article.slug, { authorName: '刚来的读者', body: `实时出现的新评论（${size.name}）` });
        await page.locator(`li.comment:has-text("实时出现的新评论（${size.name}）")`).waitFor();
        await shoot(page, `thread-${size.name}`);

        await page.goto(`${s.url}/admin/login`);
        await page.getByLabel('用户名').fill('editor');
        await page.getByLabel('密码').fill(PASSWORD);
        await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
        await page.locator('#conn:has-text("实时连接正常")').waitFor();
        await page.locator('nav a[data-view="published"]').click();
        await shoot(page, `console-${size.name}`);
        await context.close();
      }
    } finally {
      await browser.close();
      await s.close();
    }
  });
});

/** A dark news page on another origin carrying the embed (theme="dark"). */
function darkHostPage(yilun: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>晚报 · 英伟达对他忍不住了</title><script src="${yilun}/embed.js" defer></script>
<style>
  body { margin: 0; background: #16181d; color: #e6e8eb; font: 17px/1.75 "Noto Serif CJK SC", "Noto Sans CJK SC", serif; }
  header { border-bottom: 1px solid #2f343c; padding: 0.8rem 1.25rem; font: 700 1.1rem "Noto Sans CJK SC", sans-serif; letter-spacing: 0.1em; }
  main { max-width: 46rem; margin: 0 auto; padding: 0 1.25rem 3rem; }
  h1 { font: 700 1.7rem/1.4 "Noto Sans CJK SC", sans-serif; margin: 1.2rem 0 0.4rem; }
  .by { color: #a4acb6; font: 0.9rem "Noto Sans CJK SC", sans-serif; }
</style></head><body><header>晚报</header><main>
<h1>英伟达对他忍不住了</h1><p class="by">本报记者 · 2025 年 5 月 3 日</p>
<p>这是一家新闻网站自己的文章页面，评论区由 Yilun 以一个标签嵌入：深色主题，读者的身份不靠第三方 Cookie。</p>
<yilun-comments page-id="2025-05-nvidia" page-title="英伟达对他忍不住了" theme="dark"></yilun-comments>
</main></body></html>`;
}

describe('embed screenshots', () => {
  it('writes the embed in its dark theme on a host page of another origin, at both sizes', async () => {
    fs.mkdirSync(OUT, { recursive: true });
    const s = await startServer({ realClock: true });
    const yilun = s.url.replace('127.0.0.1', 'localhost');
    const host = http.createServer((req, res) => {
      if (req.url !== '/news/nvidia') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(darkHostPage(yilun));
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const browser = await launchBrowser({ thirdPartyCookies: 'blocked' });
    try {
      await s.store.embed.createSite({ name: '晚报', origins: [origin], moderationMode: null, ssoSecret: null, ssoRequired: false, loginUrl: null }, Date.now());
      const say = (name: string, body: string, parentId?: number) => embedReader(s, origin).post('2025-05-nvidia', { authorName: name, body, parentId });
      const first = (await say('林晓', '出口管制到底能不能拦住芯片？我看**执法成本**才是关键。')).body.comment.id;
      await say('陈默', '同意，执法才是难点。', first);
      await say('Alex Wang', '我补充一点：空壳公司很难查。', first);
      const liked = (await say('周一', '> 美国无法通过操纵监管机构在AI领域取胜\n\n这句话会被反复引用。')).body.comment.id;
      await embedReader(s, origin).like(liked);
      await say('老猫', '一半的 AI 研究人员在中国，这个数据的出处是哪里？');
      for (const size of SIZES) {
        const context = await browser.newContext({ locale: 'zh-CN', colorScheme: 'dark', viewport: { width: size.width, height: size.height }, isMobile: size.name === 'mobile', hasTouch: size.name === 'mobile' });
        const page = await context.newPage();
        await page.goto(`${origin}/news/nvidia`);
        await page.locator('yilun-comments .presence:not([hidden])').waitFor();
        await page.locator('yilun-comments').evaluate((el) => el.scrollIntoView());
        await page.fill('yilun-comments input[name=authorName]', '我');
        await page.fill('yilun-comments textarea[name=body]', '正在写的评论……');
        await say('刚来的读者', `实时出现的新评论（${size.name}）`);
        await page.locator(`yilun-comments li.comment:has-text("实时出现的新评论（${size.name}）")`).waitFor();
        // Newest first: the live comment on top, the count moved with it.
        const tops = page.locator('yilun-comments .thread > li.comment > .comment-main .comment-content');
        expect(await tops.first().innerText()).toBe(`实时出现的新评论（${size.name}）`);
        await page.locator('yilun-comments textarea[name=body]').blur();
        await page.evaluate(() => window.scrollTo(0, 0));
        await shoot(page, `embed-dark-${size.name}`);
        await context.close();
      }
    } finally {
      await browser.close();
      await new Promise<void>((r) => (host.closeAllConnections(), host.close(() => r())));
      await s.close();
    }
  });
});
