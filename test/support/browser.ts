import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** The system Chromium (Debian's package; .ci/run installs it). No browser is downloaded. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Off a CI run, a machine without Chromium skips the browser tests; in CI they must run. */
export const browserTestsRun = existsSync(chromiumPath) || !!process.env.CI;

/** One headless Chromium per test file (Playwright gives it a fresh profile); `newPage()` gives a fresh page (own cookies) for each test. */
export function useBrowser(): { newPage(): Promise<Page> } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // Without the background-networking flags Chromium keeps calling Google, which this network refuses.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async newPage() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      return context.newPage();
    },
  };
}
