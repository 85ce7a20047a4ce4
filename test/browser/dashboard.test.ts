import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram } from '../support/consent.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { dashboardLinkIn, newDashboardLink } from '../support/dashboard-link.js';

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
    await agreeOnTelegram(h.telegram, hoa);
    binh.send(`/start ${await codeOf(301)}`);
    await agreeOnTelegram(h.telegram, binh);
    await h.telegram.waitForText(302, 'Hoa');
    cuc.send(`/start ${await codeOf(900)}`);
    await agreeOnTelegram(h.telegram, cuc);
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
    expect(reply.text).toContain('một lần, trong 15 phút');
    expect(reply.buttons.map((b) => b.text)).toEqual(['Đăng xuất mọi phiên']);
    dashboardUrl = dashboardLinkIn(h, reply.text);
    // Only the token's hash is stored.
    expect(await h.app.models.Setting.countDocuments({ key: /^dashboard_link:/ })).toBe(1);
    expect(JSON.stringify(await h.app.models.Setting.find({}).lean())).not.toContain(new URL(dashboardUrl).searchParams.get('token'));
  });

  it('shows the numbers, tiers and staff in the owner language, and switches period and language', async () => {
    const page = await browser.newPage();
    const opened = await page.goto(dashboardUrl);
    // The link is traded for a cookie and the browser sent on to an address without it.
    expect(opened?.status()).toBe(200);
    expect(opened?.request().redirectedFrom()?.url()).toBe(dashboardUrl);
    expect(page.url()).toBe(`${h.app.listenUrl}/dashboard`);
    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'dashboard_session', httpOnly: true, sameSite: 'Strict', path: '/dashboard', secure: false });
    expect(cookies[0]!.expires * 1000 - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Salon Mai: chương trình giới thiệu');
    expect(await page.content()).not.toContain('token');
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
    // The activity and refused lists are the audit page's now.
    expect(await page.locator('#activity, #refused').count()).toBe(0);

    // A made-up notice in the address shows nothing (and breaks nothing).
    expect((await page.goto(`${h.app.listenUrl}/dashboard?done=toString`))?.status()).toBe(200);
    expect(await page.getByRole('status').count()).toBe(0);

    await page.getByRole('link', { name: '7 ngày', exact: true }).click();
    await expect.poll(() => page.locator('.periods a[aria-current]').textContent()).toBe('7 ngày');
    expect(await figure('friendsJoined')).toBe('2');

    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Salon Mai: referral program');
    expect(await page.locator('.periods a[aria-current]').textContent()).toBe('7 days');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    // The link again in this browser goes on to the page; in any other browser it is spent.
    await page.goto(dashboardUrl);
    expect(page.url()).toBe(`${h.app.listenUrl}/dashboard`);
    const other = await browser.newPage();
    expect((await other.goto(dashboardUrl))?.status()).toBe(403);
    expect(await other.locator('h1').textContent()).toBe('Link không dùng được');
    expect(await other.locator('main').innerText()).not.toContain('Bình');
    expect(await other.context().cookies()).toEqual([]);
  });

  it('opens from a link on another site too, although the cookie is SameSite=Strict', async () => {
    const link = await newDashboardLink(h);
    const page = await browser.newPage();
    await page.setContent(`<a href="${link}">open</a>`);
    await page.getByRole('link', { name: 'open' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Salon Mai: chương trình giới thiệu');
    expect(page.url()).toBe(`${h.app.listenUrl}/dashboard`);
  });

  it('the owner reviews a suspected fraud from the page, once', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    const staleTab = await page.context().newPage();
    await staleTab.goto(`${h.app.listenUrl}/dashboard`);
    const row = page.locator('#flags + .scroll tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    // A post with the session cookie but without the page's CSRF value (another site's form) changes nothing.
    const flagId = String((await h.app.models.FraudFlag.findOne({ rule: 'staff_confirms_own_referral' }).lean())!._id);
    const forged = await page.request.post(`${h.app.listenUrl}/dashboard/flags/${flagId}`, {
      form: { decision: 'confirmed', csrf: 'x'.repeat(43) },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect((await h.app.models.FraudFlag.findById(flagId).lean())?.status).toBe('open');
    expect(await row.locator('input[name="token"]').count()).toBe(0);
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

  it('the owner signs out every session from the chat, once; losing the role ends a session too', async () => {
    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    const unused = await newDashboardLink(h);
    expect((await page.reload())?.status()).toBe(200);

    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.press('Đăng xuất mọi phiên');
    await h.telegram.waitForText(900, 'Đã đăng xuất mọi phiên bảng điều khiển');
    expect((await page.reload())?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Bạn chưa đăng nhập');
    const late = await browser.newPage();
    expect((await late.goto(unused))?.status()).toBe(403);
    expect(await h.app.models.Setting.countDocuments({ key: /^dashboard_/ })).toBe(0);
    // The button acts once; typing the command again is harmless and says there was nothing left.
    owner.press('Đăng xuất mọi phiên');
    await h.telegram.waitForText(900, /^Đã thực hiện rồi \(lúc .*\): Đã đăng xuất mọi phiên/);
    owner.send('/dashboard logout');
    await h.telegram.waitForText(900, 'Không có phiên bảng điều khiển nào đang mở');
    const audit = await h.app.models.AuditLog.find({ action: 'dashboard_logout' }).sort({ at: 1 }).lean();
    expect(audit.map((a) => [a.outcome, a.details as unknown])).toEqual([
      ['ended', { sessions: 4 }],
      ['ended', { sessions: 0 }],
    ]);

    // Six messages in a few seconds: wait out the per-person flood window before the next one.
    await new Promise((r) => setTimeout(r, 3100));
    await page.goto(await newDashboardLink(h));
    expect(page.url()).toBe(`${h.app.listenUrl}/dashboard`);
    await h.app.models.Customer.updateOne({ _id: (await h.app.services.customers.findByIdentity('telegram:900'))!._id }, { $set: { role: 'staff' } });
    expect((await page.reload())?.status()).toBe(403);
    expect(await page.locator('main').innerText()).not.toContain('Bình');
    await h.app.models.Customer.updateOne({ _id: (await h.app.services.customers.findByIdentity('telegram:900'))!._id }, { $set: { role: 'owner' } });
  });

  it('refuses a wrong or expired link without showing any number', async () => {
    const page = await browser.newPage();
    const wrong = await page.goto(`${h.app.listenUrl}/dashboard?token=${'x'.repeat(32)}`);
    expect(wrong?.status()).toBe(403);
    expect(await page.locator('main').innerText()).toContain('Gửi /dashboard cho bot để nhận link mới.');
    expect((await page.goto(`${h.app.listenUrl}/dashboard`))?.status()).toBe(403);

    // Links work for 15 minutes.
    const link = await newDashboardLink(h);
    const stored = await h.app.models.Setting.findOne({ key: /^dashboard_link:/ }).lean();
    expect(stored!.expiresAt!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(stored!.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    await h.app.models.Setting.updateMany({ key: /^dashboard_link:/ }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await page.goto(link);
    expect(expired?.status()).toBe(403);
    expect(await page.locator('main').innerText()).not.toContain('Bình');
    // This link and the one spent in the test before (a used link lasts until it expires, harmless).
    expect(await h.app.services.tickets.pruneExpired(new Date())).toBe(2);
    expect(await h.app.models.Setting.countDocuments({ key: /^dashboard_link:/ })).toBe(0);
  });
});
