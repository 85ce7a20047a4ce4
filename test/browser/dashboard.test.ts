import { describe, expect, it } from 'vitest';
import { pruneExpiredTickets } from '../../src/jobs/maintenance.js';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';

describe.runIf(browserTestsRun)('the owner dashboard in Chromium', () => {
  const h = useTelegramApp('browser-dashboard', { OWNER_IDS: 'telegram:900' });
  const browser = useBrowser();
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;
  let dashboardUrl = '';

  it('the owner asks for a link; a customer asking is refused and gets none', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    const hoa = h.telegram.user(301, 'Hoa');
    const binh = h.telegram.user(302, 'Bình');
    const cuc = h.telegram.user(303, 'Cúc');
    owner.send('/start');
    hoa.send('/start');
    await h.telegram.waitForMessages(301, 2);
    binh.send(`/start ${await codeOf(301)}`);
    await h.telegram.waitForText(302, 'Hoa');
    cuc.send(`/start ${await codeOf(900)}`);
    await h.telegram.waitForText(303, 'Chủ tiệm');
    owner.send(`/confirm ${await codeOf(302)} 300k`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của Bình');
    // The owner confirming the friend they invited themselves is flagged for review.
    owner.send(`/confirm ${await codeOf(303)}`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của Cúc');

    hoa.send('/dashboard');
    await h.telegram.waitForText(301, 'Bạn không có quyền dùng lệnh này.');
    expect(await h.app.models.Setting.countDocuments({ key: /^dashboard:/ })).toBe(0);

    owner.send('/dashboard');
    const reply = await h.telegram.waitForText(900, 'Bảng điều khiển của bạn');
    const url = /http\S+\/dashboard\?token=[\w-]+/.exec(reply.text)?.[0];
    expect(url).toBeDefined();
    dashboardUrl = `${h.app.listenUrl}${new URL(url!).pathname}${new URL(url!).search}`;
  });

  it('shows the numbers, tiers and staff in the owner language, and switches period and language', async () => {
    const page = await browser.newPage();
    await page.goto(dashboardUrl);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Salon Mai: chương trình giới thiệu');
    const figure = (name: string) => page.locator(`[data-figure="${name}"] b`).textContent();
    expect(await figure('friendsJoined')).toBe('2');
    expect(await figure('firstVisits')).toBe('2');
    expect(await figure('conversion')).toBe('100%');
    expect(await figure('rewardsIssued')).toBe('4');
    expect((await figure('referredRevenue'))?.replace(/\s/g, ' ')).toBe('300.000 ₫');
    const body = await page.locator('main').innerText();
    expect(body).toContain('Người giới thiệu nổi bật');
    expect(body).toContain('Hoa');
    expect(body).toContain('Chủ cửa hàng');
    expect(body).toContain('Chưa có nhân viên');
    // The audit log, newest first: the owner's own confirmations and this link.
    const activity = await page.locator('#activity + .scroll tbody tr').allInnerTexts();
    expect(activity[0]).toContain('Mở bảng điều khiển');
    expect(activity.find((row) => row.includes('Xác nhận lần ghé đầu') && row.includes('Bình'))).toContain('đã xác nhận');
    expect(activity.find((row) => row.includes('Cúc'))).toContain('Chủ tiệm');
    // Hoa (a customer) asking for the dashboard is a refused attempt, listed apart with its count.
    expect(activity.some((row) => row.includes('Hoa'))).toBe(false);
    const refused = await page.locator('#refused + .scroll tbody tr').allInnerTexts();
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('Hoa');
    expect(refused[0]).toContain('Mở bảng điều khiển (1)');

    // A made-up notice in the address shows nothing (and breaks nothing).
    expect((await page.goto(`${dashboardUrl}&done=toString`))?.status()).toBe(200);
    expect(await page.getByRole('status').count()).toBe(0);

    await page.getByRole('link', { name: '7 ngày qua' }).click();
    await expect.poll(() => page.locator('nav a[aria-current]').textContent()).toBe('7 ngày qua');
    expect(await figure('friendsJoined')).toBe('2');

    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Salon Mai: referral program');
    expect(await page.locator('nav a[aria-current]').textContent()).toBe('last 7 days');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('the owner reviews a suspected fraud from the page, once', async () => {
    const page = await browser.newPage();
    const staleTab = await browser.newPage();
    await page.goto(dashboardUrl);
    await staleTab.goto(dashboardUrl);
    const row = page.locator('#flags + .scroll tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Nhân viên xác nhận lần ghé của người do chính mình giới thiệu');
    expect(await row.innerText()).toContain('Cúc');

    await row.getByRole('button', { name: 'Bỏ qua' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Đã bỏ qua cảnh báo.');
    expect(await page.locator('#flags + .scroll').count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('Không có trường hợp nào cần xem xét.');
    const flag = await h.app.models.FraudFlag.findOne({ rule: 'staff_confirms_own_referral' }).lean();
    expect(flag?.status).toBe('dismissed');
    const audit = await h.app.models.AuditLog.findOne({ action: 'resolve_flag' }).lean();
    expect(audit).toMatchObject({ actorIdentity: 'web:dashboard', outcome: 'dismissed' });

    // A second tab still showing the flag: confirming it now changes nothing and says so.
    await staleTab.locator('#flags + .scroll tbody tr').getByRole('button', { name: 'Xác nhận gian lận' }).click();
    await expect.poll(() => staleTab.getByRole('status').textContent()).toBe('Không tìm thấy cảnh báo này, hoặc nó đã được xử lý.');
    expect((await h.app.models.FraudFlag.findById(flag?._id).lean())?.status).toBe('dismissed');
    expect(await h.app.models.AuditLog.countDocuments({ action: 'resolve_flag' })).toBe(1);
  });

  it('refuses a wrong or expired link without showing any number', async () => {
    const page = await browser.newPage();
    const wrong = await page.goto(`${h.app.listenUrl}/dashboard?token=${'x'.repeat(32)}`);
    expect(wrong?.status()).toBe(403);
    expect(await page.locator('main').innerText()).toContain('Gửi /dashboard cho bot để nhận link mới.');

    // Links work for an hour: the stored link was issued for 60 minutes.
    const stored = await h.app.models.Setting.findOne({ key: /^dashboard:/ }).lean();
    expect(stored!.expiresAt!.getTime() - Date.now()).toBeGreaterThan(58 * 60_000);
    await h.app.models.Setting.updateMany({ key: /^dashboard:/ }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await page.goto(dashboardUrl);
    expect(expired?.status()).toBe(403);
    expect(await page.locator('main').innerText()).not.toContain('Bình');
    expect(await pruneExpiredTickets(h.app.models, new Date())).toBe(1);
    expect(await h.app.models.Setting.countDocuments({ key: /^dashboard:/ })).toBe(0);
  });
});
