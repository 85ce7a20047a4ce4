import { readFileSync } from 'node:fs';
import { Types } from 'mongoose';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';
import { overflowing } from '../support/overflow.js';

/** The owner's exports page in Chromium: every download, its period, its text, who may download. */
describe.runIf(browserTestsRun)('the exports page in Chromium', () => {
  const h = useTelegramApp('browser-exports', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();
  const cells = 'h1, h2, label, button, summary, dt, dd, .transfer-all, .bo-nav a';

  async function signedIn(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    return page;
  }

  async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
    const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), click()]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  }

  it('downloads customers and visits as UTF-8 CSV with a BOM, for the period asked, formulas neutralised, in vi and en', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/start');
    await agreeOnTelegram(h.telegram, owner);
    const ownerRecord = (await h.app.services.customers.findByIdentity('telegram:900'))!;
    const hoa = new Types.ObjectId();
    const trick = new Types.ObjectId();
    await h.app.models.Customer.collection.insertMany([
      {
        _id: hoa,
        code: 'HOA234',
        name: 'Nguyễn Thị Hoà',
        phone: '+84912345678',
        locale: 'vi',
        points: 650,
        visitCount: 3,
        tier: 'silver',
        createdAt: new Date(),
      },
      { _id: trick, code: 'TRK234', name: '=HYPERLINK("http://evil","Nhấn")', locale: 'vi', points: 0, visitCount: 0, createdAt: new Date() },
    ]);
    const visit = (at: string, amount: number) => ({
      key: `v:${at}`,
      customerId: hoa,
      staffId: ownerRecord._id,
      first: false,
      amount,
      points: 100,
      at: new Date(at),
    });
    await h.app.models.Visit.collection.insertMany([visit('2026-06-10T05:00:00Z', 350000), visit('2026-07-02T05:00:00Z', 1)]);

    const page = await signedIn();
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await page.goto(`${h.app.listenUrl}/dashboard/exports?lang=vi`))?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe('Xuất dữ liệu');
      for (const details of await page.locator('details').all()) await details.locator('summary').click();
      expect(await overflowing(page, cells), `at ${width}px`).toEqual({ page: false, elements: [] });
    }
    // This month by default, in the shop's time zone.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    expect(await page.getByLabel('Từ ngày').inputValue()).toBe(`${today.slice(0, 8)}01`);
    expect(await page.getByLabel('Đến ngày').inputValue()).toBe(today);
    expect(await page.locator('main').innerText()).toContain('có thể nhập lại tệp này');

    await page.getByLabel('Từ ngày').fill('2026-06-01');
    await page.getByLabel('Đến ngày').fill('2026-06-30');
    const visits = await downloaded(page, () => page.getByRole('button', { name: 'Lượt ghé' }).click());
    expect(visits.name).toBe('visits-2026-06-01-2026-06-30.csv');
    expect([...visits.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(visits.bytes.toString('utf8').slice(1).trimEnd().split('\n')).toEqual([
      'at,customer_code,customer_name,first,amount,points,referred,staff_code,staff_name,undone_at',
      `2026-06-10 12:00,HOA234,Nguyễn Thị Hoà,0,350000,100,0,${ownerRecord.code},Chủ tiệm,`,
    ]);

    const all = await downloaded(page, () => page.getByRole('link', { name: 'Tải toàn bộ khách hàng (mọi thời gian)' }).click());
    expect(all.name).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = all.bytes.toString('utf8').split('\n');
    expect(lines[0]).toBe(
      '\ufeffname,phone,points,visits,birthday,code,tier_id,tier,balance,joined_at,first_visit_at,referred_by,language,marketing_consent,erased',
    );
    expect(lines.find((line) => line.includes('HOA234'))).toMatch(/^Nguyễn Thị Hoà,0912 345 678,650,3,,HOA234,silver,Bạc,650,/);
    expect(lines.find((line) => line.includes('TRK234'))).toMatch(/^"'=HYPERLINK\(""http:\/\/evil"",""Nhấn""\)",/);

    // The same page in English; the CSV headers stay the same.
    await page.goto(`${h.app.listenUrl}/dashboard/exports?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Exports');
    expect(await overflowing(page, cells)).toEqual({ page: false, elements: [] });
    await page.getByLabel('From').fill('2026-07-01');
    await page.getByLabel('To').fill('2026-07-31');
    const july = await downloaded(page, () => page.getByRole('button', { name: 'Visits' }).click());
    expect(july.bytes.toString('utf8').trimEnd().split('\n').slice(1)).toEqual([
      `2026-07-02 12:00,HOA234,Nguyễn Thị Hoà,0,1,100,0,${ownerRecord.code},Chủ tiệm,`,
    ]);
    const customersEn = await downloaded(page, () => page.getByRole('link', { name: 'Download all customers (all time)' }).click());
    expect(
      customersEn.bytes
        .toString('utf8')
        .split('\n')
        .find((line) => line.includes('HOA234')),
    ).toContain(',silver,Silver,');

    // Dates that do not make a period: the page again, with why, next to the dates.
    await page.getByLabel('From').fill('2026-07-31');
    await page.getByLabel('To').fill('2026-07-01');
    await page.getByRole('button', { name: 'Audit log' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Those dates do not work');

    const audited = await h.app.models.AuditLog.find({ action: 'export', kind: 'action' }).sort({ at: 1 }).lean();
    expect(audited.map((row) => row.details as unknown)).toEqual([
      { kind: 'visits', from: '2026-06-01', to: '2026-06-30', rows: 1 },
      { kind: 'customers', period: 'all', rows: 3 },
      { kind: 'visits', from: '2026-07-01', to: '2026-07-31', rows: 1 },
      { kind: 'customers', period: 'all', rows: 3 },
    ]);
    expect(audited.every((row) => String(row.actorId) === String(ownerRecord._id))).toBe(true);
  });

  it('vouchers, referrals and the audit log download with their headers', async () => {
    const page = await signedIn();
    await page.goto(`${h.app.listenUrl}/dashboard/exports?lang=vi`);
    const headers: Record<string, string> = {
      'Phiếu quà đã phát': 'code,customer_code,customer_name,cause,reward,status,issued_at,expires_at,redeemed_at,cancelled_at',
      'Giới thiệu bạn bè': 'joined_at,referrer_code,referrer_name,friend_code,friend_name,via,status,converted_at',
      'Nhật ký thao tác': 'at,kind,actor_code,actor_name,action,outcome,target_code,target_name,attempts,details',
    };
    for (const [button, header] of Object.entries(headers)) {
      const file = await downloaded(page, () => page.getByRole('button', { name: button, exact: true }).click());
      expect(file.bytes.toString('utf8').split('\n')[0]).toBe(`\ufeff${header}`);
    }
    // The audit log of this month holds the exports made above.
    const audit = await downloaded(page, () => page.getByRole('button', { name: 'Nhật ký thao tác' }).click());
    expect(audit.bytes.toString('utf8')).toContain(',export,exported,');
  });

  it('refuses strangers and anyone no longer an owner, with nothing exported', async () => {
    const stranger = await browser.newPage();
    for (const path of ['/dashboard/exports', '/dashboard/exports/download?kind=customers&period=all']) {
      const response = await stranger.goto(`${h.app.listenUrl}${path}`);
      expect(response?.status()).toBe(403);
      expect(response?.headers()['content-type']).toContain('text/html');
    }
    const page = await signedIn();
    const exports = await h.app.models.AuditLog.countDocuments({ action: 'export', kind: 'action' });
    const ownerId = (await h.app.services.customers.findByIdentity('telegram:900'))!._id;
    await h.app.models.Customer.updateOne({ _id: ownerId }, { $set: { role: 'staff' } });
    const response = await page.goto(`${h.app.listenUrl}/dashboard/exports/download?kind=customers&period=all&lang=vi`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('main').innerText()).not.toContain('HOA234');
    expect(await h.app.models.AuditLog.countDocuments({ action: 'export', kind: 'action' })).toBe(exports);
    await h.app.models.Customer.updateOne({ _id: ownerId }, { $set: { role: 'owner' } });
  });
});
