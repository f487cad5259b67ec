// Reply notifications in real Chromium: reader A answers B from another browser context, and B's open page
// shows "1 条新回复" live, with the reply in the inbox panel; the mail opt-in under the form sends the
// confirmation mail through a real SMTP server, and the address is never shown back.
import type { Page } from 'playwright-core';
import { newPage, postFromPage, useBrowser } from './browser';
import { startServer, type TestServer } from '../helpers/server';
import { startSmtp, type TestSmtp } from '../helpers/smtp';

describe('reply badge and inbox in the page', () => {
  const browser = useBrowser();
  let s: TestServer;
  let smtp: TestSmtp;
  beforeEach(async () => {
    smtp = await startSmtp();
    s = await startServer({ realClock: true, env: { SMTP_URL: smtp.url, NOTIFY_POLL_MS: '100' } });
  });
  afterEach(async () => {
    await s.close();
    await smtp.close();
  });

  it('shows B the badge live when A replies from another context, and lists the reply in the inbox', async () => {
    const b = await newPage(browser);
    await b.page.goto(`${s.url}/articles/${s.article.slug}`);
    await b.page.locator('#presence:not([hidden])').waitFor();
    const mine = await postFromPage(b.page, '乙的观点', '乙');
    expect(await b.page.locator('#inbox-badge').isHidden()).toBe(true);

    const a = await newPage(browser);
    await a.page.goto(`${s.url}/articles/${s.article.slug}`);
    await a.page.locator(`#c-${mine} [data-act=reply]`).first().click();
    await a.page.fill('#f-name', '甲');
    await a.page.fill('#f-body', '我来回复乙 <b>不加粗</b>');
    await a.page.click('#compose button[type=submit]');

    const badge = b.page.locator('#inbox-badge');
    await badge.filter({ hasText: '1 条新回复' }).waitFor({ timeout: 10_000 });
    await badge.click();
    const item = b.page.locator('#inbox-panel .inbox-item.is-unread');
    await item.waitFor();
    expect(await item.locator('.inbox-author').textContent()).toBe('甲');
    expect(await item.locator('.inbox-excerpt').textContent()).toBe('我来回复乙 <b>不加粗</b>');
    expect(await b.page.locator('#inbox-panel b').count()).toBe(0);
    await b.page.locator('#inbox-panel button', { hasText: '全部标为已读' }).click();
    await b.page.locator('#inbox-panel .inbox-item.is-unread').waitFor({ state: 'detached' });
    expect(await badge.textContent()).toBe('0 条新回复');
    expect(b.errors).toEqual([]);
    expect(a.errors).toEqual([]);
  });

  it('subscribes from the opt-in box under the form and sends only the confirmation mail', async () => {
    const b = await newPage(browser);
    await b.page.goto(`${s.url}/articles/${s.article.slug}`);
    await postFromPage(b.page, '想收到回复', '乙');
    await b.page.locator('#notify-optin summary').click();
    await b.page.fill('#notify-optin input[type=email]', 'reader-b@example.com');
    await b.page.click('#notify-optin button[type=submit]');
    await b.page.locator('#notify-optin .notify-note', { hasText: '确认邮件已发出' }).waitFor();
    const [mail] = await smtp.waitFor(1);
    expect(mail.to).toEqual(['reader-b@example.com']);
    expect(await b.page.content()).not.toContain('reader-b@example.com');
    expect(b.errors).toEqual([]);
  });
});
