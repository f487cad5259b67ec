// Browser harness: Debian's headless Chromium driven by playwright-core (npx playwright install cannot work here).
// A browser may be launched with third-party cookies explicitly blocked (or allowed) in its profile.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchOptions {
  /**
   * 'blocked' or 'allowed': the profile's own cookie setting (chrome://settings/cookies), written into its
   * Preferences, so that the choice holds for every context of the browser rather than following Chromium's
   * defaults. Playwright refuses a user-data-dir for launch(), so such a browser is started here and
   * driven over CDP (its newContext() contexts use the profile's setting).
   */
  thirdPartyCookies?: 'blocked' | 'allowed';
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  if (!opts.thirdPartyCookies) return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS, headless: true });
  return launchWithProfile(opts.thirdPartyCookies === 'blocked');
}

async function launchWithProfile(block: boolean): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yilun-chromium-'));
  fs.mkdirSync(path.join(dir, 'Default'));
  // cookie_controls_mode: 0 allow, 1 block third-party cookies, 2 block them in incognito only.
  const profile = { cookie_controls_mode: block ? 1 : 0, block_third_party_cookies: block };
  fs.writeFileSync(path.join(dir, 'Default', 'Preferences'), JSON.stringify({ profile }));
  // The binary itself (not Debian's wrapper script), in its own process group so that all of it ends together.
  const exe = process.env.CHROMIUM_BINARY ?? '/usr/lib/chromium/chromium';
  const child = spawn(exe, [...FLAGS, '--remote-debugging-port=0', `--user-data-dir=${dir}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const cleanUp = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err.slice(-500)}`)), 30_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (!m) return;
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        resolve(m[1]);
      });
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`chromium exited (${code}): ${err.slice(-500)}`))));
    });
    child.stderr!.resume();
    // Nothing of it keeps the test process alive: the browser ends with its CDP connection (cleanUp).
    child.unref();
    (child.stderr as unknown as { unref(): void }).unref();
    const browser = await chromium.connectOverCDP(endpoint);
    browser.once('disconnected', cleanUp);
    return browser;
  } catch (e) {
    cleanUp();
    throw e;
  }
}

/** A fresh page in its own context (its own cookies), failing the test on any page error or CSP violation. */
export async function newPage(browser: Browser, opts: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: 'zh-CN', ...opts });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { page, errors };
}

/** One Chromium for the enclosing describe (launched in beforeAll, closed in afterAll); the handle reads like a Browser. */
export function useBrowser(opts: LaunchOptions = {}): Browser {
  let current: Browser | undefined;
  beforeAll(async () => {
    current = await launchBrowser(opts);
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as Browser, {
    get(_t, key) {
      if (!current) throw new Error('the browser exists only inside the describe block');
      // Readers are Chinese readers unless a test says otherwise: the UI language follows Accept-Language.
      if (key === 'newContext') return (o: BrowserContextOptions = {}) => current!.newContext({ locale: 'zh-CN', ...o });
      const v = current[key as keyof Browser];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
  });
}

/** Posts through the page's own form and waits for the comment; returns its id. */
export async function postFromPage(page: Page, body: string, name = '读者'): Promise<number> {
  await page.fill('#f-name', name);
  await page.fill('#f-body', body);
  await page.click('#compose button[type=submit]');
  const li = page.locator('#thread li.comment', { hasText: body });
  await li.first().waitFor();
  return Number(await li.first().getAttribute('data-id'));
}
