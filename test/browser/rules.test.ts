import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runApp } from '../support/app-process.js';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { agreeOnTelegram } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';

describe.runIf(browserTestsRun)('the program rules form in Chromium', () => {
  const h = useTelegramApp('browser-rules', { OWNER_IDS: 'telegram:900', PROGRAM_REFRESH_SECONDS: '1' });
  const browser = useBrowser();
  let page: Page;
  let other: ReturnType<typeof runApp> | undefined;
  afterAll(async () => {
    other?.child.kill('SIGTERM');
    await other?.exited;
  });
  const rules = (query = 'lang=vi') => `${h.app.listenUrl}/dashboard/rules?${query}`;
  const versions = () => h.app.models.ProgramVersion.countDocuments({});
  const field = (name: string) => page.locator(`[name="${name}"]`);
  const errorOf = (name: string) => page.locator(`[id="e-${name}"]`);

  /** No sideways scrolling, and no field or row wider than its box. */
  async function fits(): Promise<void> {
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const spilling = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.rules-field, .rules-row, .rules-section, .rules-help, .rules-error, td'))
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(spilling).toEqual([]);
  }

  it('opens for the owner in vi and en, at 360 and 1280 px, with every section and the rules file as version 1', async () => {
    h.telegram.user(900, 'Chủ tiệm').send('/start');
    const hoa = h.telegram.user(301, 'Hoa');
    hoa.send('/start');
    await agreeOnTelegram(h.telegram, hoa);
    page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(rules());
      expect(await page.locator('h1').textContent()).toBe('Quy định chương trình');
      expect(await page.locator('fieldset.rules-section').count()).toBe(14);
      expect(await field('partners.plans.0.id').inputValue()).toBe('standard');
      expect(await field('rewards.friend.value').inputValue()).toBe('10');
      expect(await field('tiers.0.id').getAttribute('readonly')).toBe('');
      expect(await field('tiers.0.name.vi').inputValue()).toBe(h.app.program.tiers[0]!.name.vi);
      expect(await page.locator('.rules-versions tbody tr').count()).toBe(1);
      await fits();
      await page.goto(rules('lang=en'));
      expect(await page.locator('h1').textContent()).toBe('Program rules');
      expect(await page.locator('#s-tiers legend').first().textContent()).toBe('Tiers');
      await fits();
    }
  });

  it('an invalid value shows its error next to the field, keeps the input, and saves nothing', async () => {
    await page.goto(rules());
    await field('rewards.friend.value').fill('150');
    await field('tiers.1.minPoints').fill('100');
    await field('reminders.dailySummary.localTime').fill('9 giờ');
    await field('business.name').fill('');
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await errorOf('rewards.friend.value').textContent()).toBe('Phần trăm phải từ 1 đến 100.');
    expect(await errorOf('tiers.1.minPoints').textContent()).toBe('Phải lớn hơn dòng phía trên (xếp từ nhỏ đến lớn).');
    expect(await errorOf('reminders.dailySummary.localTime').textContent()).toContain('HH:MM');
    expect(await errorOf('business.name').textContent()).toBe('Vui lòng điền ô này.');
    expect(await page.locator('.rules-summary').textContent()).toContain('4');
    expect(await field('rewards.friend.value').inputValue()).toBe('150');
    expect(await field('reminders.dailySummary.localTime').inputValue()).toBe('9 giờ');
    await page.setViewportSize({ width: 360, height: 900 });
    await fits();
    expect(await versions()).toBe(1);
    expect(h.app.program.rewards.friend.value).toBe(10);
  });

  it("the owner changes the friend's reward and adds a tier; the bot uses the new reward", async () => {
    await page.goto(rules());
    await field('rewards.friend.value').fill('15');
    await field('rewards.friend.label.vi').fill('Giảm 15% lần ghé đầu');
    await field('rewards.friend.label.en').fill('15% off the first visit');
    await field('tiers.2.name.vi').fill('Khách Vàng');
    await field('tiers.3.name.vi').fill('Kim Cương');
    await field('tiers.3.name.en').fill('Diamond');
    await field('tiers.3.minPoints').fill('5.000');
    await field('tiers.3.perk.vi').fill('Giảm 20% mỗi hóa đơn');
    await field('tiers.3.perk.en').fill('20% off every bill');
    await field('note').fill('Tết');
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await page.locator('.notice').textContent()).toContain('Đã lưu phiên bản mới');
    expect(await versions()).toBe(2);
    const saved = await h.app.models.ProgramVersion.findOne({ number: 2 }).lean();
    expect(saved).toMatchObject({ source: 'form', note: 'Tết' });
    expect(h.app.program.tiers.map((t) => [t.id, t.name.vi, t.minPoints])).toEqual([
      ['member', h.app.program.tiers[0]!.name.vi, 200],
      ['silver', h.app.program.tiers[1]!.name.vi, 500],
      ['gold', 'Khách Vàng', 1000],
      ['kim-cuong', 'Kim Cương', 5000],
    ]);
    expect(await field('tiers.3.id').inputValue()).toBe('kim-cuong');
    expect(await page.locator('.rules-versions tbody tr').first().textContent()).toContain('Chủ tiệm');

    h.telegram.user(301, 'Hoa').send('/program');
    const reply = await h.telegram.waitForText(301, 'Chương trình giới thiệu của');
    expect(reply.text).toContain('Giảm 15% lần ghé đầu');
    expect(reply.text).toContain('Kim Cương');
  });

  it('removing a tier that customers are in is refused with a clear message; nothing is saved', async () => {
    const hoa = await h.app.services.customers.findByIdentity('telegram:301');
    await h.app.models.Customer.updateOne({ _id: hoa!._id }, { $set: { tier: 'silver', tierRank: 2 } });
    await page.goto(rules());
    await field('tiers.1.remove').check();
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await page.locator('#s-tiers .rules-error').textContent()).toContain('đang có 1 khách');
    expect(await versions()).toBe(2);
  });

  it('a second app process sees a saved version within its refresh interval', async () => {
    const port = await freePort();
    other = runApp({ PORT: String(port), MONGODB_URI: h.app.config.mongodbUri!, PROGRAM_REFRESH_SECONDS: '1', LOG_LEVEL: 'silent' });
    await other.waitFor('/healthz', 100_000);
    const code = (await h.app.services.customers.findByIdentity('telegram:301'))!.code;
    const landing = async () => (await fetch(`http://127.0.0.1:${port}/r/${code}?lang=vi`)).text();
    expect(await landing()).toContain('Giảm 15% lần ghé đầu');
    await page.goto(rules());
    await field('rewards.friend.label.vi').fill('Giảm 18% lần ghé đầu');
    await field('rewards.friend.value').fill('18');
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await versions()).toBe(3);
    await expect.poll(landing, { timeout: 10_000, interval: 300 }).toContain('Giảm 18% lần ghé đầu');
  }, 150_000);

  it('shows what an older version changes, and rolls back to it after a confirmation', async () => {
    await page.goto(rules('lang=en'));
    await page.locator('.rules-versions a[href*="/versions/1"]').click();
    expect(await page.locator('h1').textContent()).toBe('Version 1');
    const row = page.locator('.rules-diff tr', { hasText: 'rewards.friend.value' });
    expect(await row.locator('td').allTextContents()).toEqual(['rewards.friend.value', String(h.app.program.rewards.friend.value), '10']);
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await fits();
    }
    const before = await versions();
    // Customers are still in the tier version 1 lacks ("kim-cuong" is new, nobody is in it): the rollback goes through.
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await page.locator('.notice').textContent()).toContain('Rolled back');
    expect(await h.app.models.ProgramVersion.findOne({ number: before + 1 }).lean()).toMatchObject({ source: 'rollback', rolledBackTo: 1 });
    expect(h.app.program.rewards.friend.value).toBe(10);
    expect(h.app.program.tiers).toHaveLength(3);
  });

  it('strangers and staff are refused the page and the posts; nothing changes', async () => {
    const before = await versions();
    const stranger = await browser.newPage();
    expect((await stranger.goto(rules()))?.status()).toBe(403);
    const posted = await fetch(`${h.app.listenUrl}/dashboard/rules`, {
      method: 'POST',
      body: new URLSearchParams({ 'rewards.friend.value': '50', base: '4' }),
    });
    expect(posted.status).toBe(403);
    const owner = await h.app.services.customers.findByIdentity('telegram:900');
    await h.app.models.Customer.updateOne({ _id: owner!._id }, { $set: { role: 'staff' } });
    try {
      expect((await page.goto(rules()))?.status()).toBe(403);
      const rollback = await page.request.post(`${h.app.listenUrl}/dashboard/rules/rollback`, { form: { number: '2', base: '4', lang: 'vi' } });
      expect(rollback.status()).toBe(403);
    } finally {
      await h.app.models.Customer.updateOne({ _id: owner!._id }, { $set: { role: 'owner' } });
    }
    expect(await versions()).toBe(before);
  });

  it('the owner turns on review rewards and adds a partner plan; a bad link is refused at its field; saving again keeps both', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(rules('lang=en'));
    expect(await field('reviews.on').isChecked()).toBe(false);
    await field('reviews.on').check();
    await field('reviews.reward.kind').selectOption('bonus_points');
    await field('reviews.reward.value').fill('50');
    await field('reviews.reward.label.vi').fill('Tặng 50 điểm');
    await field('reviews.reward.label.en').fill('50 bonus points');
    await field('reviews.links.0.name').fill('Google Maps');
    await field('reviews.links.0.url').fill('http://maps.example/salon');
    await field('partners.plans.1.name.vi').fill('Người có ảnh hưởng');
    await field('partners.plans.1.name.en').fill('Influencer');
    await field('partners.plans.1.commission.kind').selectOption('first_visit');
    await field('partners.plans.1.commission.amount').fill('50.000');
    await field('partners.plans.1.welcome.kind').selectOption('amount_off');
    await field('partners.plans.1.welcome.value').fill('100.000');
    await field('partners.plans.1.welcome.label.vi').fill('Giảm 100.000₫ lần đầu');
    await field('partners.plans.1.welcome.label.en').fill('100,000₫ off the first visit');
    const before = await versions();
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await errorOf('reviews.links.0.url').textContent()).toBe('Must be a link starting with https://');
    expect(await versions()).toBe(before);
    expect(await field('partners.plans.1.name.en').inputValue()).toBe('Influencer');
    await fits();

    await field('reviews.links.0.url').fill('https://maps.example/salon');
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await page.locator('.notice').textContent()).toContain('New version saved');
    expect(await versions()).toBe(before + 1);
    expect(h.app.program.reviews).toMatchObject({
      links: [{ name: 'Google Maps', url: 'https://maps.example/salon' }],
      reward: { kind: 'bonus_points', value: 50 },
    });
    expect(h.app.program.partners.plans.map((p) => [p.id, p.commission, p.welcome?.value ?? null])).toEqual([
      ['standard', { kind: 'revenue_share', percent: 10, days: 90 }, null],
      ['nguoi-co-anh-huong', { kind: 'first_visit', amount: 50_000 }, 100_000],
    ]);
    expect(await field('partners.plans.1.id').inputValue()).toBe('nguoi-co-anh-huong');
    expect(await field('reviews.on').isChecked()).toBe(true);
    expect(await field('partners.plans.0.welcome.kind').inputValue()).toBe('');

    // Another change elsewhere leaves the partners and reviews as they are.
    await field('business.phone').fill('0901 234 567');
    await page.locator('form.rules-form button[type=submit]').click();
    expect(await versions()).toBe(before + 2);
    expect(h.app.program.partners.plans).toHaveLength(2);
    expect(h.app.program.reviews?.links).toHaveLength(1);
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await fits();
    }
  });
});
