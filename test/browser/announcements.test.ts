import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { joinOnTelegram, joinOnZalo } from '../support/consent.js';
import { newDashboardLink } from '../support/dashboard-link.js';

const VI = 'Tết này giảm 20% mọi dịch vụ, từ 1 đến 10/2. Hẹn gặp bạn!';
const EN = 'This Tết: 20% off every service, 1 to 10 February. See you!';
const OPT_OUT = {
  vi: 'Không muốn nhận ưu đãi nữa? Gửi /stop. Muốn nhận lại, gửi /start.',
  en: "Don't want offers any more? Send /stop. To get them again, send /start.",
};

/** Nothing wider than its box: the page, and each card, figure, quote and form field. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wide: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) wide.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of Array.from(
      document.querySelectorAll('main .card, main dt, main dd, main blockquote, main label, main button, main textarea, main h1, main h3, main p'),
    )) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) wide.push(`${el.tagName}.${el.className}: ${el.textContent?.slice(0, 40)}`);
    }
    return wide;
  });
}

async function checkLayout(page: Page) {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await overflowing(page), `at ${width}px on ${page.url()}`).toEqual([]);
  }
}

describe.runIf(browserTestsRun)('announcements in Chromium, delivered through the Telegram and Zalo emulators', () => {
  const h = useTelegramApp('browser-announcements', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const browser = useBrowser();
  let ownerLink = '';
  const announcementsIn = (chat: Array<{ text: string }>) => chat.filter((m) => m.text.includes(VI) || m.text.includes(EN));

  it('customers agree to offers or not; a staff member is added', async () => {
    const owner = h.telegram.user(900, 'Chủ tiệm');
    owner.send('/start');
    await h.telegram.waitForMessages(900, 1);
    await joinOnTelegram(h.telegram, h.telegram.user(301, 'Hoa'), { offers: true });
    const ben = h.telegram.user(302, 'Ben', 'en');
    await joinOnTelegram(h.telegram, ben, { offers: true });
    ben.send('/lang en');
    await vi.waitFor(async () => expect((await h.app.services.customers.findByIdentity('telegram:302'))?.locale).toBe('en'), { timeout: 10_000 });
    await joinOnTelegram(h.telegram, h.telegram.user(303, 'Cúc'), { offers: false });
    await joinOnTelegram(h.telegram, h.telegram.user(304, 'Đào'), { offers: true });
    await joinOnTelegram(h.telegram, h.telegram.user(305, 'Giang'), { offers: true });
    await joinOnZalo(h.zalo, h.zalo.user('z401', 'Em'), { offers: true });
    await joinOnTelegram(h.telegram, h.telegram.user(306, 'Lan'), { offers: true });
    owner.send(`/staff add ${(await h.app.services.customers.findByIdentity('telegram:306'))!.code}`);
    await vi.waitFor(async () => expect((await h.app.services.customers.findByIdentity('telegram:306'))?.role).toBe('staff'), { timeout: 10_000 });
    ownerLink = await newDashboardLink(h);
  });

  it('the owner writes, counts, tests on their own chat, and sends once; each opted-in customer gets one message in their language', async () => {
    const page = await browser.newPage();
    await page.goto(ownerLink);
    await page.goto(`${h.app.listenUrl}/dashboard/announcements`);
    expect(await page.locator('h1').textContent()).toBe('Thông báo');
    expect(await page.locator('main').innerText()).toContain('Chưa gửi thông báo nào.');
    // Tiers by their id, named in the reader's language.
    expect(
      await page.locator('#ann-tier option').evaluateAll((options) => options.map((o) => [(o as HTMLOptionElement).value, o.textContent])),
    ).toEqual([
      ['', ''],
      ['member', 'Thành viên'],
      ['silver', 'Bạc'],
      ['gold', 'Vàng'],
    ]);
    await checkLayout(page);

    // Nothing typed: each error next to its field, in the owner's language, and nothing kept.
    await page.getByRole('button', { name: 'Lưu và đếm người nhận' }).click();
    expect(await page.locator('#ann-vi-error').textContent()).toBe('Vui lòng nhập nội dung.');
    expect(await page.locator('#ann-en-error').textContent()).toBe('Vui lòng nhập nội dung.');
    await page.locator('#ann-vi').fill(VI);
    await page.locator('#ann-en').fill(EN);
    await page.locator('input[name=audience][value=inactive]').check();
    await page.locator('#ann-days').fill('0');
    await page.getByRole('button', { name: 'Lưu và đếm người nhận' }).click();
    expect(await page.locator('#ann-days-error').textContent()).toBe('Nhập số ngày từ 1 đến 1000.');
    expect(await page.locator('#ann-vi').inputValue()).toBe(VI);
    expect(await h.app.models.Announcement.countDocuments()).toBe(0);

    // Everyone who said yes: Hoa, Ben, Đào, Giang, Em (not Cúc who said no, not the staff member, not the owner).
    await page.locator('input[name=audience][value=everyone]').check();
    await page.getByRole('button', { name: 'Lưu và đếm người nhận' }).click();
    expect(await page.locator('.notice').textContent()).toBe('Đã lưu. Xem số người nhận bên dưới.');
    expect(await page.locator('.ann-reach strong').textContent()).toBe('Thông báo này sẽ đến 5 người.');
    await checkLayout(page);

    const ownerBefore = h.telegram.messagesTo(900).length;
    await page.getByRole('button', { name: 'Gửi thử cho tôi' }).click();
    expect(await page.locator('.notice').textContent()).toBe('Đã gửi tin thử đến Telegram/Zalo của bạn.');
    const test = await h.telegram.waitForText(900, VI);
    expect(test.text.startsWith('🧪 TIN THỬ')).toBe(true);
    expect(test.text).toContain(OPT_OUT.vi);
    expect(h.telegram.messagesTo(900).length).toBe(ownerBefore + 1);

    // Đào blocked the bot; Giang's first send meets a Telegram outage, and he says /stop before the retry.
    h.telegram.block(304);
    // Three failures: the sender's own two quick retries, then the notifier reschedules.
    const outage = { error_code: 502, description: 'Bad Gateway' };
    h.telegram.failNext(305, outage, outage, outage);
    await page.getByRole('button', { name: 'Tiếp tục để gửi' }).click();
    expect(await page.locator('.ann-confirm h2').textContent()).toBe('Gửi đến 5 người?');
    await checkLayout(page);
    const sendForm = page.locator('.ann-confirm form');
    const action = await sendForm.getAttribute('action');
    const csrf = await sendForm.locator('input[name=csrf]').inputValue();
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Đã gửi.');
    // The same form sent again (a double click, a reload of the post): still one announcement.
    const again = await page.request.post(`${h.app.listenUrl}${action}`, { form: { csrf, lang: 'vi' }, maxRedirects: 0 });
    expect(again.status()).toBe(303);
    expect(await h.app.models.Announcement.countDocuments({ status: { $ne: 'draft' } })).toBe(1);

    const hoa = await h.telegram.waitForText(301, VI);
    expect(hoa.text).toBe(`📣 Salon Mai\n\n${VI}\n\n${OPT_OUT.vi}`);
    expect((await h.telegram.waitForText(302, EN)).text).toContain(OPT_OUT.en);
    expect((await h.zalo.waitForText('z401', VI)).text).toContain(OPT_OUT.vi);

    const giang = (await h.app.services.customers.findByIdentity('telegram:305'))!;
    await vi.waitFor(
      async () => {
        const message = await h.app.models.Notification.findOne({ type: 'announcement', customerId: giang._id }).lean();
        // The error text is the HTTP client's (grammY words a 502 that outlasts its retries in more than one way).
        expect(message).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.any(String) as unknown });
      },
      { timeout: 30_000 },
    );
    h.telegram.user(305, 'Giang').send('/stop');
    await h.telegram.waitForText(305, 'Đã tắt tin ưu đãi');
    await vi.waitFor(
      async () => expect(await h.app.models.Notification.countDocuments({ type: 'announcement', status: { $in: ['pending', 'sending'] } })).toBe(0),
      {
        timeout: 20_000,
      },
    );

    await page.reload();
    const figure = (name: string) => page.locator(`.ann-${name} dd`).textContent();
    expect(await figure('recipients')).toBe('5');
    expect(await figure('sent')).toBe('4');
    expect(await figure('delivered')).toBe('3');
    expect(await figure('failed')).toBe('1');
    expect(await figure('withdrawn')).toBe('1');
    expect(await figure('waiting')).toBe('0');
    await checkLayout(page);

    // One message each, the test only to the owner, nothing to those who said no or stopped, or to staff.
    for (const id of [301, 302]) expect(announcementsIn(h.telegram.messagesTo(id))).toHaveLength(1);
    expect(announcementsIn(h.zalo.messagesTo('z401'))).toHaveLength(1);
    for (const id of [303, 304, 305, 306]) expect(announcementsIn(h.telegram.messagesTo(id))).toHaveLength(0);
    expect(announcementsIn(h.telegram.messagesTo(900))).toHaveLength(1);

    // The list, in English.
    await page.goto(`${h.app.listenUrl}/dashboard/announcements?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Announcements');
    const item = page.locator('.ann-item');
    expect(await item.count()).toBe(1);
    expect(await item.locator('h3').textContent()).toBe(EN);
    expect(await item.locator('.ann-delivered dt').textContent()).toBe('Delivered');
    expect(await item.locator('.ann-failed dd').textContent()).toBe('1');
    expect(await item.innerText()).toContain('Everyone who agreed to offers');
    await checkLayout(page);
  }, 90_000);

  it('refuses strangers and a person who is no longer owner, and changes nothing', async () => {
    const stranger = await browser.newPage();
    expect((await stranger.goto(`${h.app.listenUrl}/dashboard/announcements`))?.status()).toBe(403);
    const forged = await stranger.request.post(`${h.app.listenUrl}/dashboard/announcements/${'a'.repeat(24)}`, {
      form: { csrf: 'x', lang: 'vi', vi: VI, en: EN, audience: 'everyone', step: 'review' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);

    const page = await browser.newPage();
    await page.goto(await newDashboardLink(h));
    await page.goto(`${h.app.listenUrl}/dashboard/announcements`);
    const form = page.locator('form.ann-form');
    const action = (await form.getAttribute('action'))!;
    const csrf = await form.locator('input[name=csrf]').inputValue();
    // The owner becomes staff (the role is read again on every request).
    const owner = await h.app.services.customers.findByIdentity('telegram:900');
    await h.app.models.Customer.updateOne({ _id: owner!._id }, { $set: { role: 'staff' } });
    try {
      expect((await page.goto(`${h.app.listenUrl}/dashboard/announcements`))?.status()).toBe(403);
      const posted = await page.request.post(`${h.app.listenUrl}${action}`, {
        form: { csrf, lang: 'vi', vi: VI, en: EN, audience: 'everyone', step: 'test' },
        maxRedirects: 0,
      });
      expect(posted.status()).toBe(403);
      expect(await h.app.models.Announcement.countDocuments()).toBe(1);
      expect(await h.app.models.Notification.countDocuments({ type: 'announcement_test' })).toBe(1);
    } finally {
      await h.app.models.Customer.updateOne({ _id: owner!._id }, { $set: { role: 'owner' } });
    }
  });
});
