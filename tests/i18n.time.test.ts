// One time formatter for the site: relative times, full times with the zone, the TIMEZONE setting, the
// browser's copy of the same function, and the UI language each request gets.
import request from 'supertest';
import { timeFormat, timeFormatScript } from '../server/i18n/time';
import { strings } from '../server/i18n/strings';
import { loadConfig } from '../server/config';
import { useTestServer } from './helpers/server';

const NOW = Date.parse('2026-12-02T17:39:17.792Z'); // 2026-12-03 01:39 in Shanghai
const MIN = 60_000;

describe('timeFormat', () => {
  const zh = timeFormat('Asia/Shanghai', strings('zh-CN'));

  it.each([
    [10_000, '刚刚'],
    [5 * MIN, '5 分钟前'],
    [59 * MIN, '59 分钟前'],
    [90 * MIN, '1 小时前'],
    [3 * 60 * MIN, '昨天 22:39'],
    [26 * 60 * MIN, '12月1日 23:39'],
    [40 * 1440 * MIN, '10月24日 01:39'],
    [400 * 1440 * MIN, '2025年10月29日 01:39'],
  ])('says %d ms ago as %j in Shanghai', (ago, text) => {
    expect(zh.relative(NOW - ago, NOW)).toBe(text);
  });

  it('counts hours within the same day', () => {
    const later = NOW + 10 * 60 * MIN; // 11:39 on the 3rd
    expect(zh.relative(NOW, later)).toBe('10 小时前');
  });

  it('gives the full date, time and zone, in the configured zone', () => {
    expect(zh.full(NOW)).toBe('2026年12月3日 01:39 GMT+8');
    expect(timeFormat('Europe/Berlin', strings('en')).full(NOW)).toBe('December 2, 2026 18:39 GMT+1');
  });

  it('is served to the browser as the same self-contained function', async () => {
    const src = timeFormatScript().replace('export const timeFormat =', 'return');
    const again = new Function(src)() as typeof timeFormat;
    expect(again('Asia/Shanghai', strings()).relative(NOW - 5 * MIN, NOW)).toBe('5 分钟前');
  });

  it('refuses an unknown TIMEZONE at start and defaults to Asia/Shanghai', () => {
    expect(() => loadConfig({ TIMEZONE: 'Mars/Olympus' })).toThrow(/TIMEZONE must be an IANA time zone/);
    expect(loadConfig({}).timeZone).toBe('Asia/Shanghai');
    expect(() => loadConfig({ DEFAULT_LANG: 'fr' })).toThrow(/DEFAULT_LANG must be zh-CN or en/);
  });
});

describe('the UI language of a page', () => {
  const s = useTestServer();
  const page = () => request(s.app.httpServer).get(`/articles/${s.article.slug}`);

  it('is zh-CN by default, and <html lang> says so', async () => {
    const res = await page().expect(200);
    expect(res.text).toContain('<html lang="zh-CN">');
    expect(res.text).toContain('发表评论');
  });

  it('follows Accept-Language, then the lang cookie over it, then ?lang= over both (remembered in the cookie)', async () => {
    expect((await page().set('Accept-Language', 'en-US,en;q=0.9,zh;q=0.5')).text).toContain('<html lang="en">');
    expect((await page().set('Accept-Language', 'fr, zh-TW;q=0.8, en;q=0.5')).text).toContain('<html lang="zh-CN">');
    expect((await page().set('Accept-Language', 'en').set('Cookie', 'lang=zh-CN')).text).toContain('<html lang="zh-CN">');
    const asked = await request(s.app.httpServer).get(`/articles/${s.article.slug}?lang=en`).set('Cookie', 'lang=zh-CN');
    expect(asked.text).toContain('<html lang="en">');
    expect(asked.text).toContain('Add a comment');
    expect(String(asked.headers['set-cookie'])).toMatch(/lang=en;/);
  });

  it('offers the other language in the footer', async () => {
    expect((await page()).text).toMatch(/<a class="lang-switch" href="\?lang=en"[^>]*>English<\/a>/);
  });
});

describe('the UI language of the console', () => {
  const s = useTestServer();

  it('follows ?lang= and Accept-Language on the login page, with the switcher in the footer', async () => {
    const en = await request(s.app.httpServer).get('/admin/login').set('Accept-Language', 'en-GB,en;q=0.8');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toMatch(/<a class="lang-switch" href="\?lang=zh-CN"[^>]*>中文<\/a>/);
    const zh = await request(s.app.httpServer).get('/admin/login?lang=zh-CN').set('Accept-Language', 'en');
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('登录审核台');
  });
});
