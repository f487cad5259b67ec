// Browser harness: Debian's headless Chromium driven by playwright-core (npx playwright install cannot work here).
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

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: FLAGS, headless: true });
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
export function useBrowser(): Browser {
  let current: Browser | undefined;
  beforeAll(async () => {
    current = await launchBrowser();
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
