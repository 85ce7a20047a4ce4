import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/services/index.js';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram, joinOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';
import { overflowing } from '../support/overflow.js';

const flood = () => new Promise((r) => setTimeout(r, 3100));

/** The owner's partner pages in Chromium: the list, a month's statement and its CSV, marking paid once, the reconciliation; nobody else gets in. */
describe.runIf(browserTestsRun)('the partner statements in Chromium', () => {
  // The shop's clock: visits in June 2026, then the close on 1 July (in the shop's time zone).
  let now = new Date('2026-06-20T03:00:00Z');
  const h = useTelegramApp('browser-partners', { OWNER_IDS: 'telegram:900' }, { now: () => now });
  const browser = useBrowser();
  const cells = 'h1, h2, label, button, dt, dd, .partner b, .partner small, .partner-line span, .partner-line small, .bo-nav a';
  const person = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!;
  const m = () => h.app.models;

  async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
    const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), click()]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  }

  async function expectNoOverflow(page: Page): Promise<void> {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await overflowing(page, cells), `${page.url()} at ${width}px`).toEqual({ page: false, elements: [] });
    }
  }

  it('sets up a partner with a friend, two visits in June, a staff member, and closes June', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    await joinOnTelegram(h.telegram, owner);
    await joinOnTelegram(h.telegram, h.telegram.user(601, 'Đối tác Hương Nguyễn Thị Thanh'));
    const partner = await person(601);
    // Until the partners' command sets it, the partner record and the referral's plan are written through the models (as test/support/partners.ts does).
    const ownerRecord = await person(900);
    await m().Partner.create({ customerId: partner._id, planId: 'standard', status: 'active', addedBy: ownerRecord._id, addedAt: now });
    const friend = h.telegram.user(602, 'Khách Lan');
    friend.send(`/start ${partner.code}`);
    await agreeOnTelegram(h.telegram, friend);
    const lan = await person(602);
    await expect.poll(async () => (await m().Referral.findOne({ friendId: lan._id }).lean())?.referrerId?.toString()).toBe(String(partner._id));
    await m().Referral.updateOne({ friendId: lan._id }, { $set: { partnerPlanId: 'standard' } });
    await joinOnTelegram(h.telegram, h.telegram.user(603, 'Lễ tân Mai'));
    await flood();
    owner.send(`/staff add ${(await person(603)).code}`);
    await expect.poll(async () => (await person(603)).role).toBe('staff');

    const actor: Actor = { customerId: ownerRecord._id, identity: 'telegram:900' };
    expect(await h.app.services.visits.confirmFirstVisit(actor, lan.code, 300_000)).toMatchObject({ ok: true });
    now = new Date('2026-06-25T05:00:00Z');
    expect(await h.app.services.visits.recordVisit(actor, lan.code, 155_555, 'june-2')).toMatchObject({ ok: true });
    now = new Date('2026-06-30T17:40:00Z');
    await h.app.services.commissions.closeMonth('2026-06');
    expect(await m().PartnerStatement.findOne({ partnerId: partner._id, month: '2026-06' }).lean()).toMatchObject({ due: 45_556, paid: false });
    await flood();
  });

  it('the owner sees the partners, June line by line with its totals, downloads it, and marks it paid once', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    const partner = await person(601);
    await page.goto(`${h.app.listenUrl}/dashboard/partners?lang=vi`);
    expect(await page.locator('h1').textContent()).toBe('Đối tác');
    expect(await page.locator('.bo-nav a[aria-current]').textContent()).toBe('Đối tác');
    const row = page.locator('.partner').filter({ hasText: partner.code });
    expect(await row.locator('b').textContent()).toBe('Đối tác Hương Nguyễn Thị Thanh');
    expect(await row.innerText()).toContain('Tháng trước (2026-06)');
    expect(await row.innerText()).toMatch(/Hoa hồng: 45\.556\s*₫/);
    expect(await row.innerText()).toContain('Đã chốt, chưa trả');
    await expectNoOverflow(page);

    await row.getByRole('link', { name: 'Tháng trước (2026-06)' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bảng kê đối tác: Đối tác Hương Nguyễn Thị Thanh');
    expect(await page.getByLabel('Tháng').inputValue()).toBe('2026-06');
    const lines = page.locator('.partner-line');
    expect(await lines.count()).toBe(2);
    expect(await lines.nth(0).innerText()).toMatch(
      /Khách Lan[\s\S]*Hóa đơn: 300\.000\s*₫[\s\S]*10% hóa đơn trong 90 ngày[\s\S]*Hoa hồng: 30\.000\s*₫/,
    );
    expect(await lines.nth(1).innerText()).toMatch(/Hóa đơn: 155\.555\s*₫[\s\S]*Hoa hồng: 15\.556\s*₫/);
    const totals = await page.locator('.partner-totals').innerText();
    expect(totals).toMatch(/Khách của họ đã chi\s*455\.555\s*₫/);
    expect(totals).toMatch(/Hoa hồng\s*45\.556\s*₫/);
    await expectNoOverflow(page);

    const csv = await downloaded(page, () => page.getByRole('link', { name: 'Tải bảng kê này (CSV)' }).click());
    expect(csv.name).toBe(`partner-${partner.code}-2026-06.csv`);
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.bytes.toString('utf8').slice(1).trimEnd().split('\n')).toEqual([
      'visit_at,customer_code,customer_name,visit_amount,rule,commission,adjustment',
      `2026-06-20 10:00,${(await person(602)).code},Khách Lan,300000,revenue_share 10% 90d,30000,0`,
      `2026-06-25 12:00,${(await person(602)).code},Khách Lan,155555,revenue_share 10% 90d,15556,0`,
      'total,,,455555,,45556,0',
    ]);

    // The form as the browser would send it, kept to send again after it has paid.
    const fields = await page
      .locator('form.partner-pay')
      .evaluate((f: HTMLFormElement) => Object.fromEntries(new FormData(f) as unknown as Iterable<[string, string]>));
    await page.getByRole('button', { name: 'Đánh dấu đã trả tháng 2026-06' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã đánh dấu đã trả');
    expect(await page.locator('.partner-state').innerText()).toMatch(/^Đã trả 45\.556\s*₫ lúc/);
    expect(await page.locator('form.partner-pay').count()).toBe(0);
    const again = await page.request.post(`${h.app.listenUrl}/dashboard/partners/${partner.code}/paid`, { form: fields });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain('Tháng này đã được đánh dấu đã trả: không trả hai lần.');
    expect(await m().PartnerStatement.findOne({ partnerId: partner._id, month: '2026-06' }).lean()).toMatchObject({ paid: true });
    expect(await m().Notification.countDocuments({ type: 'partner_paid', customerId: partner._id })).toBe(1);
    expect(await m().AuditLog.countDocuments({ action: 'mark_partner_paid', outcome: 'paid' })).toBe(1);

    // An open month: no form, and a post for it says why.
    await page.goto(`${h.app.listenUrl}/dashboard/partners/${partner.code}?lang=en&month=2026-07`);
    expect(await page.locator('.partner-state').innerText()).toBe('Still open: it closes on the 1st of next month');
    expect(await page.locator('form.partner-pay').count()).toBe(0);
    const open = await page.request.post(`${h.app.listenUrl}/dashboard/partners/${partner.code}/paid`, {
      form: { ...fields, month: '2026-07', lang: 'en' },
    });
    expect(open.status()).toBe(409);
    expect(await open.text()).toContain('This month is not closed yet');
    await page.goto(`${h.app.listenUrl}/dashboard/partners/NOSUCH?lang=en&month=2026-06`);
    expect(await page.getByRole('alert').textContent()).toBe('No partner has this code.');
    expect((await page.goto(`${h.app.listenUrl}/dashboard/partners/${partner.code}?lang=en&month=2026-13`))?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toBe('That month is not valid: pick a month like 2026-06.');
  });

  it('the owner reads and downloads the reconciliation of June; July is not closed yet', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    await page.goto(`${h.app.listenUrl}/dashboard/partners?lang=en`);
    await page.getByRole('link', { name: "The month's reconciliation (2026-06)" }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Monthly reconciliation');
    const figures = await page.locator('main').innerText();
    expect(figures).toMatch(/Commission due for the month\s*₫?45,556/);
    expect(figures).toMatch(/What referred customers spent\s*₫?455,555/);
    await expectNoOverflow(page);
    const csv = await downloaded(page, () => page.getByRole('link', { name: 'Download the reconciliation (CSV)' }).click());
    expect(csv.name).toBe('program-close-2026-06.csv');
    const rows = csv.bytes.toString('utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('\ufefffigure,value');
    expect(rows).toContain('partner_due,45556');
    expect(rows).toContain(`due:${(await person(601)).code},45556`);
    await page.getByLabel('Month').fill('2026-07');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('2026-07 is not closed yet');
  });

  it('staff and strangers are refused every partner page, download and post', async () => {
    const partner = await person(601);
    const paths = [
      '/dashboard/partners',
      `/dashboard/partners/${partner.code}?month=2026-06`,
      `/dashboard/partners/${partner.code}/download?month=2026-06`,
      '/dashboard/partners/summary?month=2026-06',
      '/dashboard/partners/summary/download?month=2026-06',
    ];
    const staff = await browser.newPage();
    await staff.goto(await newDashboardLink(h, 603, 'Lễ tân Mai'));
    expect(await staff.locator('.bo-nav a').allTextContents()).toEqual(['Khách hàng']);
    const stranger = await browser.newPage();
    for (const page of [staff, stranger]) {
      for (const path of paths) expect((await page.request.get(`${h.app.listenUrl}${path}`)).status(), path).toBe(403);
      const post = await page.request.post(`${h.app.listenUrl}/dashboard/partners/${partner.code}/paid`, { form: { month: '2026-06', csrf: 'x' } });
      expect(post.status()).toBe(403);
    }
    expect(await m().AuditLog.countDocuments({ action: 'export', 'details.kind': { $in: ['partner_statement', 'program_close'] } })).toBe(2);
  });
});
