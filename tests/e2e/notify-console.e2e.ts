// The console's notifications view in a browser: an admin allows private addresses, adds a webhook pointing at a
// real local receiver, sends a test, and sees it in the delivery log as sent with its response code.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newPage, useBrowser } from './browser';
import { useTestServer } from '../helpers/server';
import { createModerator } from '../../server/moderation/auth.service';

const PASSWORD = 'correct-horse-battery';

describe('notifications in the console', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true, env: { NOTIFY_POLL_MS: '100' } });

  it('adds a webhook, sends a test and shows the delivery in the log', async () => {
    const bodies: string[] = [];
    const rx = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    try {
      await createModerator(s.app.deps, 'hook.admin', PASSWORD, 'admin');
      const { page, errors } = await newPage(browser);
      await page.goto(`${s.url}/admin/login`);
      await page.getByLabel('用户名').fill('hook.admin');
      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${s.url}/admin`), page.getByRole('button', { name: '登录' }).click()]);
      await page.locator('nav a[data-view="notify"]').click();
      await page.locator('#webhooks-empty:not([hidden])').waitFor();
      await page.locator('#webhooks-private').check();
      await page.locator('#notice', { hasText: '已保存' }).waitFor();
      await page.fill('#webhook-url', `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook`);
      await page.selectOption('#webhook-format', 'feishu');
      await page.click('#webhook-form button[type=submit]');
      await page.locator('#webhook-created', { hasText: '只显示这一次' }).waitFor();
      const row = page.locator('#webhook-rows tr');
      await row.first().waitFor();
      expect(await row.first().innerText()).toContain('飞书群机器人');
      await row.first().getByRole('button', { name: '发送测试' }).click();
      await page.locator('#delivery-rows tr', { hasText: '已送达' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('#delivery-rows tr').first().innerText()).toContain('204');
      expect(JSON.parse(bodies[0])).toMatchObject({ msg_type: 'text' });
      expect(errors).toEqual([]);
    } finally {
      await new Promise<void>((r) => rx.close(() => r()));
    }
  });
});
