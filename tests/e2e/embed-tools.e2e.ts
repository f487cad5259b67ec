// The heated-thread tools and the reply inbox inside the embed, on a host page of another origin (host
// http://127.0.0.1:P2, Yilun http://localhost:P1) in real Chromium under a strict host CSP: reactions live
// with the reader's own choices, the edit history popover, the 精选 badge and filter live, the slow-mode line
// and countdown, "N 人正在输入" in a second context with its remembered off switch, and the reply badge.
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { newPage, useBrowser } from './browser';
import { hostSite, type Host } from './host-site';
import { useTestServer } from '../helpers/server';
import { signedIn } from '../helpers/moderation';
import { pageSlug } from '../../server/embed/embed.pages';

const html = (yilun: string, el: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>出口管制</title><script src="${yilun}/embed.js" defer></script></head><body><h1>新闻</h1>${el}</body></html>`;

const C = 'yilun-comments';

async function post(page: Page, body: string, name?: string): Promise<number> {
  if (name) await page.fill(`${C} input[name=authorName]`, name);
  await page.fill(`${C} textarea[name=body]`, body);
  await page.click(`${C} form.compose button[type=submit]`);
  const li = page.locator(`${C} li.comment`, { hasText: body }).first();
  await li.waitFor();
  return Number(await li.getAttribute('data-id'));
}

describe('embed: heated-thread tools and the reply inbox', () => {
  const browser = useBrowser();
  const s = useTestServer({ realClock: true, env: { NOTIFY_POLL_MS: '50' } });
  let host: Host;
  let yilun: string;
  let siteId: number;

  beforeEach(async () => {
    yilun = s.url.replace('127.0.0.1', 'localhost');
    host = await hostSite(yilun, {
      '/a': html(yilun, `<${C} page-id="tools-a"></${C}>`),
      '/a-dark': html(yilun, `<${C} page-id="tools-a" theme="dark"></${C}>`),
      '/b': html(yilun, `<${C} page-id="tools-b" theme="dark"></${C}>`),
    });
    siteId = (await s.store.embed.createSite({ name: '新闻站', origins: [host.origin], moderationMode: null, ssoSecret: null, ssoRequired: false, loginUrl: null }, Date.now())).id;
  });
  afterEach(async () => host.close());

  it('shows reactions live with the reader\'s own, the edit history escaped, and 精选 live in badge and filter', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    await a.page.goto(`${host.origin}/a`);
    await b.page.goto(`${host.origin}/a-dark`);
    await a.page.locator(`${C} .empty`).waitFor();
    const id = await post(a.page, '初稿 <b>不加粗</b>', '甲');
    const inB = b.page.locator(`${C} #c-${id}`);
    await inB.waitFor();

    // B reacts from the picker; A sees the count live; B's own choice is pressed, and still is after a reload.
    await inB.locator('.react-add').click();
    await inB.locator('.react-choices [data-kind=laugh]').click();
    await a.page.locator(`${C} #c-${id} .react[data-kind=laugh] .react-count:text-is("1")`).waitFor();
    await inB.locator('.react.is-on[data-kind=laugh]').waitFor();
    expect(await a.page.locator(`${C} #c-${id} .react[data-kind=laugh]`).getAttribute('aria-pressed')).toBe('false');
    // The label is there for a browser without colour emoji.
    expect(await inB.locator('.react[data-kind=laugh] .react-label').textContent()).toBe('好笑');
    await b.page.reload();
    await b.page.locator(`${C} #c-${id} .react.is-on[data-kind=laugh]`).waitFor();
    await b.page.locator(`${C} #c-${id} .reactions > .react[data-kind=laugh]`).click();
    await a.page.locator(`${C} #c-${id} .reactions > .react[data-kind=laugh]`).waitFor({ state: 'detached' });

    // A edits; B sees "已编辑" live and opens the history: the old text, escaped.
    await a.page.locator(`${C} #c-${id} [data-act=edit]`).click();
    await a.page.fill(`${C} .edit-form textarea`, '定稿');
    await a.page.click(`${C} .edit-form button[type=submit]`);
    await b.page.locator(`${C} #c-${id} .comment-content:has-text("定稿")`).click();
    await b.page.locator(`${C} #c-${id} .comment-edited`).click();
    const pop = b.page.locator(`${C} #c-${id} .history-pop`);
    await pop.locator('.history-body:has-text("<b>不加粗</b>")').waitFor();
    expect(await pop.locator('.history-body b').count()).toBe(0);
    expect(await b.page.locator(`${C} #c-${id} .comment-edited`).getAttribute('aria-expanded')).toBe('true');
    await b.page.keyboard.press('Escape');
    await pop.waitFor({ state: 'detached' });

    // A moderator picks it: the badge reaches both pages live; the 精选 filter lists it and follows an unpick.
    const mod = await signedIn(s, 'editor');
    await mod.post(`/api/admin/comments/${id}/feature`).expect(200);
    await a.page.locator(`${C} #c-${id} .badge-featured`).waitFor();
    await b.page.locator(`${C} #c-${id} .badge-featured`).waitFor();
    // The dark theme with every new part on screen (for the closing note; not compared).
    await b.page.locator(`${C} #c-${id} .react-add`).click();
    await b.page.locator(`${C} #c-${id} .comment-edited`).click();
    await pop.waitFor();
    await b.page.locator(C).screenshot({ path: path.join(os.tmpdir(), 'embed-tools-dark.png') });
    await b.page.keyboard.press('Escape');
    await b.page.locator(`${C} #c-${id} .react-add`).click();
    await b.page.click(`${C} .featured-filter`);
    await b.page.locator(`${C} .featured-list #pick-${id}`).waitFor();
    expect(await b.page.locator(`${C} ol.thread:not(.featured-list)`).isVisible()).toBe(false);
    await mod.post(`/api/admin/comments/${id}/unfeature`).expect(200);
    await b.page.locator(`${C} .featured-list .empty:has-text("还没有精选评论")`).waitFor();
    await b.page.click(`${C} .featured-filter`);
    await b.page.locator(`${C} .featured-list`).waitFor({ state: 'detached' });
    await a.page.locator(`${C} #c-${id} .badge-featured`).waitFor({ state: 'detached' });

    expect(await a.page.context().cookies(yilun)).toEqual([]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('turns slow mode on live, counts down after a post and after a refused one, and shows typing in a second context', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    await a.page.goto(`${host.origin}/b`);
    await a.page.locator(`${C} .empty`).waitFor();
    const first = await post(a.page, '热帖第一条', '甲');
    await b.page.goto(`${host.origin}/b`);
    await b.page.locator(`${C} #c-${first}`).waitFor();
    await a.page.locator(`${C} .presence:has-text("2 人正在看")`).waitFor();
    const slug = pageSlug(siteId, 'id:tools-b');

    // Typing: A types, B (a second context) sees the count; B's off switch hides it and is remembered.
    await a.page.locator(`${C} textarea[name=body]`).pressSequentially('我在打字', { delay: 30 });
    await b.page.locator(`${C} .typing-line:text-is("1 人正在输入…")`).waitFor();
    expect(await a.page.locator(`${C} .typing-line`).isVisible()).toBe(false);
    await b.page.locator(`${C} #typing-toggle`).uncheck();
    expect(await b.page.locator(`${C} .typing-line`).isVisible()).toBe(false);
    await b.page.reload();
    await b.page.locator(`${C} #c-${first}`).waitFor();
    expect(await b.page.locator(`${C} #typing-toggle`).isChecked()).toBe(false);
    await a.page.fill(`${C} textarea[name=body]`, '');
    await a.page.locator(`${C} .presence:has-text("2 人正在看")`).waitFor();

    // A moderator turns slow mode on: the line appears above both forms, live.
    const mod = await signedIn(s, 'mod-slow');
    await mod.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: 120 }).expect(200);
    const lineA = a.page.locator(`${C} .slow-mode`);
    await lineA.locator('.slow-mode-rule:has-text("2 分钟可发言一次")').waitFor();
    await b.page.locator(`${C} .slow-mode:visible`).waitFor();

    // B posts (their first here): the countdown starts.
    await post(b.page, '乙也说一句', '乙');
    await b.page.locator(`${C} .slow-mode-wait:has-text("秒后可再次发言")`).waitFor();
    // A posts again within the interval: refused with the server's words, and the countdown shows what is left.
    await a.page.fill(`${C} textarea[name=body]`, '再说一句');
    await a.page.click(`${C} form.compose button[type=submit]`);
    await a.page.locator(`${C} .form-error:has-text("慢速模式")`).waitFor();
    await lineA.locator('.slow-mode-wait:has-text("秒后可再次发言")').waitFor();
    await a.page.screenshot({ path: path.join(os.tmpdir(), 'embed-tools-slow-dark.png'), fullPage: true });

    // Slow mode off reaches the page live.
    await mod.patch(`/api/admin/articles/${slug}`, { slowModeSeconds: 0 }).expect(200);
    await lineA.waitFor({ state: 'hidden' });
    expect(a.errors.filter((e) => !/429/.test(e))).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('shows the bearer reader the reply badge live and the replies in its panel, opening one on this page in place', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    await a.page.goto(`${host.origin}/a`);
    await a.page.locator(`${C} .empty`).waitFor();
    const id = await post(a.page, '等人回复', '甲');
    await b.page.goto(`${host.origin}/a`);
    await a.page.locator(`${C} .presence:has-text("2 人正在看")`).waitFor();
    await b.page.locator(`${C} #c-${id} [data-act=reply]`).click();
    await post(b.page, '乙回复甲', '乙');
    const badge = a.page.locator(`${C} .inbox-badge`);
    await badge.locator(':scope:text-is("1 条新回复")').waitFor();
    await badge.click();
    await a.page.locator(`${C} .inbox-panel .inbox-item.is-unread:has-text("乙回复甲")`).waitFor();
    // A reply on this page opens in place (marked read), not on Yilun's own page.
    await a.page.click(`${C} .inbox-panel .inbox-link`);
    await a.page.locator(`${C} .inbox-panel .inbox-item.is-unread`).waitFor({ state: 'detached' });
    expect(a.page.url()).toBe(`${host.origin}/a`);
    await a.page.click(`${C} .inbox-panel .inbox-head button:has-text("全部标为已读")`);
    expect(await a.page.locator(`${C} .inbox-panel .inbox-item`).count()).toBe(1);
    expect(await b.page.locator(`${C} .inbox-badge`).isVisible()).toBe(false);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
