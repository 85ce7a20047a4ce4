import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';
import { overflowing } from '../support/overflow.js';

const FILE = [
  'Tên,Số điện thoại,Điểm,Số lần ghé,Ngày sinh',
  'Nguyễn Thị Lan,0935 246 810,650,14,25/12/1990',
  'Trần Văn Minh,0977135791,,2,',
  'Hoa,13579,10,,',
  'Phạm Thu Cúc,0903000001,-3,,',
  'Đỗ Thị Đào,0903000002,40,,',
].join('\r\n');

/** The owner's import page in Chromium: upload, preview with nothing written, confirm once, refusals. */
describe.runIf(browserTestsRun)('the import page in Chromium', () => {
  const h = useTelegramApp('browser-import', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();
  const cells = 'h1, h2, label, button, li, td, th, .card, .bo-nav a';
  const csv = (text: string, name = 'khach.csv') => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

  async function signedIn(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    return page;
  }

  const counts = async () => ({
    customers: await h.app.models.Customer.countDocuments({}),
    imported: await h.app.models.Customer.countDocuments({ importedAt: { $exists: true } }),
    entries: await h.app.models.PointsEntry.countDocuments({}),
  });

  it('previews good and bad rows without writing, then imports once however often it is confirmed', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/start');
    await agreeOnTelegram(h.telegram, owner);
    const page = await signedIn();
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await page.goto(`${h.app.listenUrl}/dashboard/import?lang=vi`))?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Nhập khách hàng');
      expect(await overflowing(page, cells), `at ${width}px`).toEqual({ page: false, elements: [] });
    }
    const before = await counts();
    await page.getByLabel('Tệp CSV danh sách khách').setInputFiles(csv(FILE));
    await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Xem trước khi nhập');
    const figure = (name: string) => page.locator(`[data-count="${name}"] b`).textContent();
    expect([await figure('created'), await figure('updated'), await figure('skipped'), await figure('errors')]).toEqual(['3', '0', '0', '2']);
    expect(await page.locator('.transfer-errors li').allTextContents()).toEqual([
      'Dòng 4: số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).',
      'Dòng 5: điểm không được âm.',
    ]);
    const rows = await page.locator('.transfer-rows tbody tr').allInnerTexts();
    expect(rows[0]).toContain('Nguyễn Thị Lan');
    expect(rows[0]).toContain('Tạo khách mới');
    // The numbers show masked.
    expect(await page.content()).not.toContain('246 810');
    expect(await page.content()).not.toContain('0935246810');
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await overflowing(page, cells), `preview at ${width}px`).toEqual({ page: false, elements: [] });
    }
    expect(await counts()).toEqual(before);

    // The confirmation posted twice (a double click, a resent form): one import.
    const form = {
      csrf: await page.locator('form.transfer-confirm [name=csrf]').inputValue(),
      lang: 'vi',
      upload: await page.locator('[name=upload]').inputValue(),
    };
    await page.getByRole('button', { name: 'Xác nhận nhập 3 dòng hợp lệ' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kết quả nhập');
    const again = await page.request.post(`${h.app.listenUrl}/dashboard/import/confirm`, { form, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect([await figure('created'), await figure('updated'), await figure('skipped'), await figure('errors')]).toEqual(['3', '0', '0', '2']);
    expect(await page.getByRole('status').textContent()).toBe('Đã nhập xong.');
    const after = await counts();
    expect(after.customers - before.customers).toBe(3);
    expect(after.imported).toBe(3);
    // Lan's 650 and Đào's 40 points, once each (Minh brought none).
    expect(await h.app.models.PointsEntry.countDocuments({ cause: 'import' })).toBe(2);
    expect(await h.app.models.AuditLog.find({ action: 'import_customers' }).lean()).toMatchObject([
      { outcome: 'imported', details: { created: 3, updated: 0, skipped: 0, errors: 2 } },
    ]);
    const lan = await h.app.models.Customer.findOne({ phone: '+84935246810' }).lean();
    expect(lan).toMatchObject({ name: 'Nguyễn Thị Lan', points: 650, importedVisits: 14, birthDay: 25, birthMonth: 12 });

    // The same file again: everything skipped, in English this time.
    await page.goto(`${h.app.listenUrl}/dashboard/import?lang=en`);
    await page.getByLabel('CSV file of customers').setInputFiles(csv(FILE));
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Preview before importing');
    expect([await figure('created'), await figure('skipped'), await figure('errors')]).toEqual(['0', '3', '2']);
    expect(await page.locator('.transfer-errors li').first().textContent()).toBe('Line 4: the phone number is not valid (a good one: 0912 345 678).');
    expect(await overflowing(page, cells)).toEqual({ page: false, elements: [] });
  });

  it('says clearly when the file is too big, not a CSV, or has the wrong columns, and writes nothing', async () => {
    const page = await signedIn();
    const before = await counts();
    const tryFile = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
      await page.goto(`${h.app.listenUrl}/dashboard/import?lang=vi`);
      await page.getByLabel('Tệp CSV danh sách khách').setInputFiles(file);
      await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
      await page.waitForLoadState();
      return page.getByRole('alert').innerText();
    };
    const big = `${FILE}\r\n${'Khách,0903000009,1,,\r\n'.repeat(110_000)}`;
    expect(await tryFile(csv(big))).toBe('Tệp quá lớn: tối đa 2 MB. Hãy chia danh sách thành nhiều tệp nhỏ hơn.');
    const workbook = {
      name: 'khach.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from('PK\u0003\u0004rest'),
    };
    expect(await tryFile(workbook)).toContain('Đây không phải tệp CSV');
    expect(await tryFile(csv('Tên khách,Ghi chú\r\nLan,VIP'))).toContain('Thiếu cột: Số điện thoại (phone).');
    expect(await overflowing(page, cells)).toEqual({ page: false, elements: [] });
    expect(await counts()).toEqual(before);
  });

  it('refuses strangers and anyone no longer an owner: nothing read, nothing written', async () => {
    const stranger = await browser.newPage();
    expect((await stranger.goto(`${h.app.listenUrl}/dashboard/import`))?.status()).toBe(403);
    const posted = await stranger.request.post(`${h.app.listenUrl}/dashboard/import`, { multipart: { file: csv(FILE) } });
    expect(posted.status()).toBe(403);

    const page = await signedIn();
    await page.goto(`${h.app.listenUrl}/dashboard/import?lang=vi`);
    await page.getByLabel('Tệp CSV danh sách khách').setInputFiles(csv('Tên,SĐT\r\nMai,0903000077'));
    await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Xem trước khi nhập');
    const before = await counts();
    const ownerId = (await h.app.services.customers.findByIdentity('telegram:900'))!._id;
    await h.app.models.Customer.updateOne({ _id: ownerId }, { $set: { role: 'staff' } });
    await page.getByRole('button', { name: 'Xác nhận nhập 1 dòng hợp lệ' }).click();
    await expect.poll(() => page.locator('h1').textContent()).not.toBe('Xem trước khi nhập');
    expect(await page.locator('h1').textContent()).not.toBe('Kết quả nhập');
    expect(await counts()).toEqual(before);
    await h.app.models.Customer.updateOne({ _id: ownerId }, { $set: { role: 'owner' } });
  });
});
