import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram } from '../support/consent.js';
import { testDatabaseUri } from '../support/database.js';
import { newDashboardLink } from '../support/dashboard-link.js';

/** The full privacy notice and the owner's processing record, in Chromium on a phone and on a desktop. */
describe.runIf(browserTestsRun)('the privacy notice and the processing record in Chromium', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'program-'));
  const programFile = path.join(dir, 'program.json');
  // Long unbroken contact details are what would push a phone's page wider than its screen.
  const business = {
    ...defaultProgram.business,
    address: '123 Đường Nguyễn Thị Minh Khai, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh',
    phone: '028 3823 4567',
    email: 'lienhe.chamsockhachhang.salonmai@averyveryverylongdomainname-example.vn',
  };
  writeFileSync(programFile, JSON.stringify({ ...defaultProgram, business, privacy: { noticeVersion: '2026-12' } }));
  const h = useTelegramApp('browser-privacy', { OWNER_IDS: 'telegram:900', PROGRAM_CONFIG: programFile });
  const browser = useBrowser();
  const widths = [360, 1280];

  /** Nothing is wider than the screen: no sideways scrolling on a phone. */
  const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

  it('the notice is in Vietnamese by default, lists every kind of data, and links to English and back', async () => {
    const page = await browser.newPage();
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      const response = await page.goto(`${h.app.listenUrl}/privacy`);
      expect(response?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe('vi');
      expect(await page.locator('h1').textContent()).toBe('Thông báo bảo mật: Salon Mai');
      expect(await page.locator('section.category').count()).toBe(14);
      const text = await page.locator('main').innerText();
      expect(text).toContain(business.address);
      expect(text).toContain(business.email);
      expect(text).toContain('Sự đồng ý của bạn (Nghị định 13/2023/NĐ-CP');
      expect(text).toContain('180 ngày, sau đó bị xóa.');
      expect(text).toContain('/mydata');
      expect(text).toContain('/delete');
      expect(text).toContain('/stop');
      expect(await page.getByTestId('version').textContent()).toBe('Thông báo phiên bản 2026-12.');
      expect(await overflows(page), `overflow at ${width}px`).toBe(false);
    }
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Privacy notice: Salon Mai');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('main').innerText()).toContain('Delete it: send /delete in the chat');
    expect(await overflows(page)).toBe(false);
    await page.getByRole('link', { name: 'Tiếng Việt' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Thông báo bảo mật: Salon Mai');
  });

  it('the owner opens the processing record from the dashboard, prints or downloads it, in both languages', async () => {
    h.telegram.user(900, 'Chủ tiệm').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(900, 'Chủ tiệm'));
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    await page.getByRole('link', { name: 'Hồ sơ xử lý dữ liệu' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hồ sơ xử lý dữ liệu cá nhân: Salon Mai');
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      await page.reload();
      expect(await page.getByTestId('owners').textContent()).toBe('Chủ tiệm');
      expect(await page.getByTestId('staff').textContent()).toBe('không có ai');
      expect(await page.getByTestId('database').textContent()).toBe(`Máy chủ cơ sở dữ liệu tại ${new URL(testDatabaseUri('x')).host}`);
      expect(await page.locator('main').innerText()).toContain('Thông báo bảo mật phiên bản 2026-12');
      expect(await overflows(page), `overflow at ${width}px`).toBe(false);
    }
    // Printing leaves the page's own links out.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải về dạng tệp' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^processing-record-\d{4}-\d{2}-\d{2}-vi\.html$/);

    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Personal data processing record: Salon Mai');
    expect(await page.locator('main').innerText()).toContain('Telegram and Zalo deliver the chat messages');
  });

  it('without the owner’s session the record page shows nothing', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${h.app.listenUrl}/dashboard/record`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('main').innerText()).not.toContain('Ai được truy cập');
  });
});
