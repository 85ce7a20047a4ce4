import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import type { Page } from 'playwright-core';
import type { ReferralChannel } from '../../src/db/models/customer.js';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { joinOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';

const zone = 'Asia/Ho_Chi_Minh';
const HUGE = 123_456_789_012;

/** Noon of the business day `ago` days before today, and its day key. */
const dayAgo = (ago: number) => {
  const at = DateTime.now().setZone(zone).startOf('day').minus({ days: ago }).plus({ hours: 12 });
  return { at: at.toJSDate(), day: at.toISODate()! };
};

/** No text wider than its box: the page, and each card, chart and table cell. */
const overflows = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) return 'page';
    for (const el of Array.from(document.querySelectorAll('.card, .card b, .chart, .custom-range, table.channels td'))) {
      if (el.scrollWidth > el.clientWidth) return el.className;
    }
    return '';
  });

/**
 * The overview over a history written straight into the database, so every figure is known:
 * the last 7 days (today 6 days back) against the 7 before, every period, a custom range,
 * charts with a bar per day, a huge revenue figure at 360 and 1280 px, vi and en.
 */
describe.runIf(browserTestsRun)('the overview in Chromium', () => {
  const h = useTelegramApp('browser-overview', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();
  let link = '';

  it('seeds a known history', async () => {
    await joinOnTelegram(h.telegram, h.telegram.user(900, 'Chủ tiệm'));
    const { Customer, LinkOpen, Referral, Visit, Voucher } = h.app.models;
    const referrer = new Types.ObjectId();
    let n = 0;
    const customer = async (ago: number, referredVia?: ReferralChannel) => {
      const { at, day } = dayAgo(ago);
      const created = await Customer.create({
        ...(referredVia ? { referrerId: referrer, referredVia } : {}),
        code: `SEED${String(++n).padStart(2, '0')}`.replace(/0/g, 'Z'),
        name: `Khách ${n}`,
        locale: 'vi',
        createdAt: at,
        createdDay: day,
      });
      return created._id;
    };
    // New customers: 4 ten days back (previous period), 3 yesterday and 2 three days back (and the owner today).
    for (const ago of [10, 10, 10, 10, 1, 1, 1, 3, 3]) await customer(ago);
    // Friends: one nine days back by Telegram; yesterday by the web link and two days back by QR,
    // whose first visit that day (with a huge bill) converted their referral.
    const visit = dayAgo(2);
    let qrFriend: Types.ObjectId | undefined;
    for (const [ago, via] of [
      [9, 'telegram'],
      [1, 'link'],
      [2, 'qr'],
    ] as const) {
      const { at, day } = dayAgo(ago);
      const friendId = await customer(ago, via);
      const converted = via === 'qr' ? { status: 'converted' as const, convertedAt: visit.at, convertedDay: visit.day } : {};
      await Referral.create({ friendId, referrerId: referrer, code: 'SEEDRR', via, joinedAt: at, joinedDay: day, ...converted });
      if (via === 'qr') qrFriend = friendId;
    }
    // Two opens yesterday of a link shared on Facebook, nobody joined from them yet.
    for (const visitor of ['a', 'b']) {
      const { at, day } = dayAgo(1);
      await LinkOpen.create({ key: `SEEDRR:${day}:${visitor}`, code: 'SEEDRR', referrerId: referrer, via: 'fb', at, atDay: day });
    }
    await Visit.create({
      key: 'seed-visit',
      customerId: qrFriend,
      staffId: referrer,
      first: true,
      referred: true,
      points: 100,
      amount: HUGE,
      at: visit.at,
      atDay: visit.day,
    });
    // Vouchers: three issued two days back (one used yesterday), three issued eight days back.
    const reward = { kind: 'percent_off' as const, value: 10, label: { vi: 'Giảm 10%', en: '10% off' } };
    for (const [i, ago] of [2, 2, 2, 8, 8, 8].entries()) {
      const { at, day } = dayAgo(ago);
      const used = i === 0 ? dayAgo(1) : undefined;
      await Voucher.create({
        ...reward,
        code: `SEEDV${i}`,
        causeKey: `seed:${i}`,
        customerId: referrer,
        cause: 'milestone',
        reward,
        issuedAt: at,
        issuedDay: day,
        expiresAt: new Date(at.getTime() + 30 * 86400_000),
        ...(used ? { status: 'redeemed', redeemedAt: used.at, redeemedDay: used.day } : {}),
      });
    }
    link = await newDashboardLink(h);
  });

  it('shows each figure of the last 7 days with its change against the 7 days before, and a bar per day', async () => {
    const page = await browser.newPage();
    await page.goto(link);
    await page.getByRole('link', { name: '7 ngày', exact: true }).click();
    await expect.poll(() => page.locator('.periods a[aria-current]').textContent()).toBe('7 ngày');
    const card = (id: string) => page.locator(`[data-figure="${id}"]`);
    // 5 seeded + 2 friends + the owner today, against 4 + 1 friend.
    expect(await card('newCustomers').locator('b').textContent()).toBe('8');
    expect(await card('newCustomers').locator('[data-change]').textContent()).toBe('+3 (+60%)');
    expect(await card('friendsJoined').locator('b').textContent()).toBe('2');
    expect(await card('friendsJoined').locator('[data-change]').textContent()).toBe('+1 (+100%)');
    expect(await card('firstVisits').locator('[data-change]').textContent()).toBe('mới');
    expect((await card('referredRevenue').locator('b').textContent())?.replace(/\s/g, ' ')).toBe('123.456.789.012 ₫');
    expect(await card('rewardsIssued').locator('[data-change]').textContent()).toBe('không đổi');
    expect(await card('rewardsRedeemed').locator('b').textContent()).toBe('1');
    // Each sharing channel's funnel: opens, friends joined, their first visits and revenue.
    const channel = async (id: string) => (await page.locator(`[data-channel="${id}"] td`).allTextContents()).map((t) => t.replace(/\s/g, ' '));
    expect(await page.locator('table.channels th').allTextContents()).toEqual([
      'Kênh',
      'Lượt mở link',
      'Bạn bè tham gia',
      'Lần ghé đầu tiên',
      'Doanh thu',
    ]);
    expect(await page.locator('table.channels [data-channel]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-channel')))).toEqual([
      'telegram',
      'zalo',
      'fb',
      'messenger',
      'link',
      'qr',
    ]);
    expect(await channel('qr')).toEqual(['Mã QR', '0', '1', '1', '123.456.789.012 ₫']);
    expect(await channel('fb')).toEqual(['Facebook', '2', '0', '0', '0 ₫']);
    expect(await channel('link')).toEqual(['Link web', '0', '1', '0', '0 ₫']);
    // The Telegram friend joined nine days back: outside the last 7 days.
    expect(await channel('telegram')).toEqual(['Telegram', '0', '0', '0', '0 ₫']);
    expect(await channel('messenger')).toEqual(['Messenger', '0', '0', '0', '0 ₫']);
    // A bar per day; vouchers issued and used side by side.
    for (const chart of ['newCustomers', 'friendsJoined', 'firstVisits', 'referredRevenue']) {
      expect(await page.locator(`[data-chart="${chart}"] rect.bar`).count()).toBe(7);
    }
    expect(await page.locator('[data-chart="vouchers"] rect.bar').count()).toBe(14);
    const bars = page.locator('[data-chart="newCustomers"] rect.bar');
    expect(await bars.nth(5).locator('title').textContent()).toContain('Khách hàng mới: 4'); // yesterday: 3 customers and the web-link friend
    expect(await page.locator('[data-chart="referredRevenue"] desc').textContent()).toContain('7 ngày');
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('table.tiers tbody td:first-child').allTextContents()).toEqual(['Thành viên', 'Bạc', 'Vàng']);

    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await overflows(page), `overflow at ${width}px`).toBe('');
    }

    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('.periods a[aria-current]').textContent()).toBe('7 days');
    expect(await card('firstVisits').locator('[data-change]').textContent()).toBe('new');
    expect(await card('rewardsIssued').locator('[data-change]').textContent()).toBe('no change');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('table.tiers tbody td:first-child').allTextContents()).toEqual(['Member', 'Silver', 'Gold']);
    expect(await page.locator('table.channels th').first().textContent()).toBe('Channel');
    expect(await channel('qr')).toEqual(['QR code', '0', '1', '1', '₫123,456,789,012']);
    expect(await overflows(page)).toBe('');
  });

  it('every period draws a bar per day, and a custom range compares with as many days before', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    const today = DateTime.now().setZone(zone);
    const lastMonth = today.startOf('month').minus({ months: 1 });
    const expected = { today: 1, '7d': 7, '30d': 30, '90d': 90, month: today.day, lastMonth: lastMonth.daysInMonth! };
    for (const [period, days] of Object.entries(expected)) {
      await page.goto(`${h.app.listenUrl}/dashboard?period=${period}`);
      expect(await page.locator('[data-chart="friendsJoined"] rect.bar').count(), period).toBe(days);
    }
    // Ten days back to yesterday: 9 seeded customers and 3 friends, against nothing before.
    await page.locator('input[name="from"]').fill(dayAgo(10).day);
    await page.locator('input[name="to"]').fill(dayAgo(1).day);
    await page.getByRole('button', { name: 'Xem' }).click();
    await expect.poll(() => page.locator('[data-chart="newCustomers"] rect.bar').count()).toBe(10);
    expect(await page.locator('[data-figure="newCustomers"] b').textContent()).toBe('12');
    expect(await page.locator('[data-figure="newCustomers"] [data-change]').textContent()).toBe('mới');
    expect(await page.locator('.custom-range.current').count()).toBe(1);
    // A range that ends before it starts says so next to the dates, and shows the last 30 days.
    await page.goto(`${h.app.listenUrl}/dashboard?period=custom&from=${dayAgo(1).day}&to=${dayAgo(3).day}`);
    expect(await page.getByRole('alert').textContent()).toContain('Ngày bắt đầu phải trước');
    expect(await page.locator('[data-chart="newCustomers"] rect.bar').count()).toBe(30);
    // 90 days and their 90 before build up to 180 day rollups on first sight.
  }, 120_000);

  it('a stranger without the session is refused and sees no figure', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${h.app.listenUrl}/dashboard?period=7d`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('[data-figure]').count()).toBe(0);
  });
});
