// The live page in real Chromium fills a gap while connected: one comment:created frame is dropped on the
// WebSocket (as a lost Redis pub/sub message between nodes would be), and the page still shows every comment
// exactly once, within a second or so, without a reload or a reconnect.
import { newPage, useBrowser } from './browser';
import { postComment, reader, useTestServer } from '../helpers/server';

describe('a live page that misses an event', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true });

  it('fetches the missing comment from the event log and shows every comment once', async () => {
    const { page, errors } = await newPage(browser);
    let dropped = 0;
    let joins = 0;
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (typeof m === 'string' && m.startsWith('42') && m.includes('"join"')) joins++;
        server.send(m);
      });
      server.onMessage((m) => {
        if (typeof m === 'string' && m.startsWith('42["comment:created"') && dropped === 0) {
          dropped++;
          return;
        }
        ws.send(m);
      });
    });
    await page.goto(`${s.url}/articles/${s.article.slug}`);
    await page.locator('#presence:has-text("1 人正在看")').waitFor();
    const r = reader(s);
    for (const body of ['第一条', '第二条', '第三条']) expect((await postComment(r, s.article.slug, { body })).status).toBe(201);
    for (const body of ['第一条', '第二条', '第三条']) await page.locator('#thread .comment-content', { hasText: body }).waitFor({ timeout: 5000 });
    expect(dropped).toBe(1);
    // The first join plus one gap fill; never a reload.
    expect(joins).toBe(2);
    for (const body of ['第一条', '第二条', '第三条']) expect(await page.locator('#thread .comment-content', { hasText: body }).count()).toBe(1);
    await page.locator('#comment-count:has-text("3")').waitFor();
    expect(errors).toEqual([]);
  });
});
