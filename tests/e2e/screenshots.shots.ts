// `npm run screenshots`: real Chromium on a real server with the sample article and a lively thread,
// photographed at 1280x900 and 390x844 into docs/screenshots/ (viewport-sized PNGs, kept small).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { postComment, reader, startServer, type TestServer } from '../helpers/server';
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
