import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram, joinOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';

/** No text wider than its box at a phone's and a desktop's width: the document, and each card, row, form and step. */
async function expectNoOverflow(page: Page): Promise<void> {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const overflowing = await page.evaluate(() => {
      const out: string[] = [];
      const root = document.documentElement;
      if (root.scrollWidth > root.clientWidth) out.push(`document ${root.scrollWidth} > ${root.clientWidth}`);
      for (const el of Array.from(document.querySelectorAll('main, .person, .profile div, form.action, .step, .filters label, .erase-who td'))) {
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className || el.tagName}: ${el.textContent?.slice(0, 40) ?? ''}`);
      }
      return out;
    });
    expect(overflowing, `at ${width}px`).toEqual([]);
  }
}

const flood = () => new Promise((r) => setTimeout(r, 3100));

describe.runIf(browserTestsRun)('the back office people pages in Chromium', () => {
  const h = useTelegramApp('browser-people', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();
  const person = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!;
  const owner = () => h.telegram.user(900, 'Chủ tiệm');

  it('sets the shop up in chat: a referrer, a friend with a phone and a first visit, a staff member', async () => {
    await joinOnTelegram(h.telegram, owner());
    const hoa = h.telegram.user(501, 'Trần Thị Hoa');
    await joinOnTelegram(h.telegram, hoa);
    const lan = h.telegram.user(502, 'Nguyễn Thị Lân');
    lan.send(`/start ${(await person(501)).code}`);
    await agreeOnTelegram(h.telegram, lan);
    lan.shareContact('+84903123456');
    const staff = h.telegram.user(503, 'Lễ tân Mai');
    await joinOnTelegram(h.telegram, staff);
    await expect.poll(async () => (await person(502)).phone, { timeout: 15_000 }).toBe('+84903123456');
    owner().send(`/confirm ${(await person(502)).code} 350k`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của');
    owner().send(`/staff add ${(await person(503)).code}`);
    await h.telegram.waitForText(900, 'Lễ tân Mai');
    expect((await person(503)).role).toBe('staff');
  });

  it('the owner searches customers by name without diacritics and by phone in any format, filters by referrer, in vi and en', async () => {
    await flood();
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    await page.goto(`${h.app.listenUrl}/dashboard/customers`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Khách hàng');
    await page.getByLabel('Tìm theo tên, số điện thoại hoặc mã').fill('lan');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect.poll(() => page.locator('.person b').allTextContents()).toEqual(['Nguyễn Thị Lân']);
    // The owner sees the number in full.
    expect(await page.locator('.person small').first().textContent()).toContain('0903 123 456');
    for (const phone of ['0903 123 456', '+84903123456', '84-903-123-456']) {
      await page.getByLabel('Tìm theo tên, số điện thoại hoặc mã').fill(phone);
      await page.getByRole('button', { name: 'Tìm' }).click();
      await expect.poll(() => page.locator('.person b').allTextContents()).toEqual(['Nguyễn Thị Lân']);
    }
    await page.goto(`${h.app.listenUrl}/dashboard/customers?referredBy=${(await person(501)).code}&lang=en`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Customers');
    expect(await page.locator('.person b').allTextContents()).toEqual(['Nguyễn Thị Lân']);
    await page.goto(`${h.app.listenUrl}/dashboard/customers?q=0903+12345&lang=en`);
    expect(await page.getByRole('alert').textContent()).toContain('not a Vietnamese phone number');
    await page.goto(`${h.app.listenUrl}/dashboard/customers?sort=name`);
    expect(await page.locator('.person b').allTextContents()).toEqual(['Chủ tiệm', 'Lễ tân Mai', 'Nguyễn Thị Lân', 'Trần Thị Hoa']);
    await expectNoOverflow(page);
  });

  it('the customer page shows the journey, and each action acts once, with its reason audited', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    const lan = await person(502);
    await page.goto(`${h.app.listenUrl}/dashboard/customers/${lan.code}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Nguyễn Thị Lân');
    const journey = await page.locator('.journey').innerText();
    expect(journey).toContain('Được Trần Thị Hoa giới thiệu qua Telegram');
    expect(journey).toContain('Ghé lần đầu: hóa đơn 350.000');
    expect(journey).toMatch(/Tin nhắn: .*\((đã gửi|đang chờ gửi|đang gửi)\)/u);
    expect(journey).toContain('Nhận voucher');
    await expectNoOverflow(page);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Without a reason: the message next to the form, nothing changed.
    const before = (await person(502)).points;
    await page.locator('#points input[name=amount]').fill('+50');
    await page.locator('#points input[name=reason]').fill(' ');
    await page.locator('#points button').click();
    await expect.poll(() => page.locator('#points [role=alert]').textContent()).toBe('Vui lòng ghi lý do.');
    expect((await person(502)).points).toBe(before);

    // A double submit (the same form posted twice) adjusts once.
    await page.locator('#points input[name=amount]').fill('+50');
    await page.locator('#points input[name=reason]').fill('khách quen tặng thêm');
    const form = await page
      .locator('#points')
      .evaluate((f: HTMLFormElement) => Object.fromEntries(new FormData(f) as unknown as Iterable<[string, string]>));
    // The page's own cookies (the context's), the form's fields as the browser would send them.
    const post = () => page.request.post(`${h.app.listenUrl}/dashboard/customers/${lan.code}/points`, { form, maxRedirects: 0 });
    expect((await Promise.all([post(), post()])).map((r) => r.status())).toEqual([303, 303]);
    expect((await person(502)).points).toBe(before + 50);
    expect(await h.app.models.AuditLog.find({ action: 'adjust_points', outcome: 'adjusted' }).lean()).toMatchObject([
      { details: { delta: 50, reason: 'khách quen tặng thêm' } },
    ]);
    await page.reload();

    // Cancel a voucher: post → redirect → get with a notice.
    const voucher = (await h.app.models.Voucher.findOne({ customerId: lan._id, status: 'active' }).lean())!;
    await page.locator('#cancel select').selectOption(voucher.code);
    await page.locator('#cancel input[name=reason]').fill('khách đổi ý');
    await page.locator('#cancel button').click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Đã hủy voucher. Khách sẽ nhận tin nhắn báo.');
    expect((await h.app.models.Voucher.findById(voucher._id).lean())?.status).toBe('cancelled');
    expect(new URL(page.url()).searchParams.get('done')).toBe('cancelled');

    // Undo the last visit.
    await page.locator('#undo input[name=reason]').fill('ghi nhầm khách');
    await page.locator('#undo button').click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Đã hủy lần ghé gần nhất. Khách sẽ nhận tin nhắn báo.');
    expect(await h.app.models.Visit.find({ customerId: lan._id, undoneAt: { $exists: true } }).countDocuments()).toBe(1);
    expect(await h.app.models.AuditLog.findOne({ action: 'undo_visit', outcome: 'undone' }).lean()).toMatchObject({
      details: { reason: 'ghi nhầm khách' },
    });

    // Make staff, then remove.
    await page.locator('#staff input[name=reason]').fill('nhân viên mới');
    await page.locator('#staff button').click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Đã thêm làm nhân viên.');
    expect((await person(502)).role).toBe('staff');
    await page.locator('#staff input[name=reason]').fill('nghỉ việc');
    await page.locator('#staff button').click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã bỏ quyền nhân viên');
    expect((await person(502)).role).toBe('customer');
    expect(await h.app.models.AuditLog.find({ action: 'staff_remove', targetId: lan._id }).lean()).toMatchObject([
      { outcome: 'changed', details: { reason: 'nghỉ việc' } },
    ]);
    await page.goto(`${h.app.listenUrl}/dashboard/customers/${lan.code}?lang=en`);
    expect(await page.locator('#journey').textContent()).toBe("The customer's journey (newest first)");
    await expectNoOverflow(page);
  });

  it('the vouchers and audit pages filter, in vi and en', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    await page.goto(`${h.app.listenUrl}/dashboard/vouchers?status=cancelled`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Voucher');
    // The one the owner cancelled, and those of the referral the undone visit had converted.
    expect(await page.locator('.person').count()).toBe(await h.app.models.Voucher.countDocuments({ status: 'cancelled' }));
    expect(await page.locator('.person').first().innerText()).toContain('đã hủy');
    await page.goto(`${h.app.listenUrl}/dashboard/vouchers?status=cancelled&customer=${(await person(501)).code}`);
    expect((await page.locator('.person').allInnerTexts()).every((row) => row.includes('Trần Thị Hoa'))).toBe(true);
    await expectNoOverflow(page);
    await page.goto(`${h.app.listenUrl}/dashboard/vouchers?status=redeemed&lang=en`);
    expect(await page.locator('main').innerText()).toContain('Nothing matches the filters.');
    await page.goto(`${h.app.listenUrl}/dashboard/vouchers?from=2026-13-01`);
    expect(await page.getByRole('alert').textContent()).toContain('Khoảng thời gian không hợp lệ');

    await page.goto(`${h.app.listenUrl}/dashboard/audit?action=adjust_points`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Nhật ký thao tác');
    const rows = await page.locator('.person').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Điều chỉnh điểm: đã điều chỉnh');
    expect(rows[0]).toContain('Lý do: khách quen tặng thêm');
    await expectNoOverflow(page);
    await page.goto(`${h.app.listenUrl}/dashboard/audit?refused=1&lang=en`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Audit log');
    await expectNoOverflow(page);
  });

  it('staff get a staff session: customers only, masked phones unless searched, no actions; removed, they are out at once', async () => {
    const staffChat = h.telegram.user(503, 'Lễ tân Mai');
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h, 503, 'Lễ tân Mai'));
    expect(new URL(page.url()).pathname).toBe('/dashboard/customers');
    expect(await page.locator('.bo-nav a').allTextContents()).toEqual(['Khách hàng']);
    const lan = await person(502);
    expect(await page.locator('.person').filter({ hasText: 'Nguyễn Thị Lân' }).innerText()).toContain('•••• ••• 456');
    expect(await page.content()).not.toContain('903 123');
    await page.getByLabel('Tìm theo tên, số điện thoại hoặc mã').fill('0903123456');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect.poll(() => page.locator('.person small').first().textContent()).toContain('0903 123 456');
    await page.locator('.person a').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Nguyễn Thị Lân');
    expect(await page.locator('dl.profile').innerText()).toContain('0903 123 456');
    expect(await page.locator('form.action').count()).toBe(0);
    expect(await page.locator('.journey').count()).toBe(0);
    await expectNoOverflow(page);
    for (const path of ['/dashboard/vouchers', '/dashboard/audit', '/dashboard/record']) {
      expect((await page.goto(`${h.app.listenUrl}${path}`))?.status(), path).toBe(403);
    }
    // A post of an owner's action from the staff session: refused, nothing changed.
    await page.goto(`${h.app.listenUrl}/dashboard/customers`);
    const points = (await person(502)).points;
    const csrf = await page.locator('input[name=csrf]').count();
    expect(csrf).toBe(0);
    const refused = await page.request.post(`${h.app.listenUrl}/dashboard/customers/${lan.code}/points`, {
      form: { amount: '+500', reason: 'x', request: 'r1', csrf: 'x' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    expect((await person(502)).points).toBe(points);

    // The owner removes them: the next page is refused.
    owner().send(`/staff remove ${(await person(503)).code}`);
    await expect.poll(async () => (await person(503)).role, { timeout: 15_000 }).toBe('customer');
    expect((await page.goto(`${h.app.listenUrl}/dashboard/customers`))?.status()).toBe(403);
    expect(staffChat.id).toBe(503);
  });

  it('a stranger without a session is refused every page and post', async () => {
    const page = await browser.newPage();
    const lan = await person(502);
    for (const path of ['/dashboard/customers', `/dashboard/customers/${lan.code}`, '/dashboard/vouchers', '/dashboard/audit']) {
      expect((await page.goto(`${h.app.listenUrl}${path}`))?.status()).toBe(403);
    }
    const response = await page.request.post(`${h.app.listenUrl}/dashboard/customers/${lan.code}/staff`, {
      form: { change: 'add', reason: 'x', csrf: 'x' },
    });
    expect(response.status()).toBe(403);
    expect((await person(502)).role).toBe('customer');
  });
});
