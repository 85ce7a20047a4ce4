import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, joinOnZalo } from '../support/consent.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { readQr } from '../support/qr.js';

describe.runIf(browserTestsRun)('the referral landing page and the member card in Chromium', () => {
  const h = useTelegramApp('browser-public-pages', {}, { zalo: true });
  const browser = useBrowser();

  it('shows the code and the offer, opens either app, switches language and counts the visitor once', async () => {
    h.telegram.user(401, 'Nguyễn Thị Hoa').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(401, 'Nguyễn Thị Hoa'));
    const code = (await h.app.services.customers.findByIdentity('telegram:401'))!.code;

    const page = await browser.newPage();
    const response = await page.goto(`${h.app.listenUrl}/r/${code.toLowerCase()}`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('Lời mời đến Salon Mai');
    expect(await page.locator('h1').textContent()).toBe('Hoa mời bạn đến Salon Mai!');
    expect(await page.getByTestId('code').textContent()).toBe(code);
    expect(await page.locator('.offer').textContent()).toBe('Giảm 10% cho lần ghé đầu tiên');
    const telegram = page.getByRole('link', { name: 'Mở trong Telegram' });
    expect(await telegram.isVisible()).toBe(true);
    // The button carries where the friend came from (the web link) into the bot.
    expect(await telegram.getAttribute('href')).toBe(`https://t.me/salon_mai_bot?start=${code}_link`);
    expect(await page.getByRole('link', { name: 'Mở trong Zalo' }).getAttribute('href')).toBe('https://zalo.me/s/botsalonmai');
    expect(await page.getByTestId('zalo-line').textContent()).toBe(`start ${code}_link`);
    // Laid out for a phone: the buttons fit the screen.
    const box = await telegram.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);

    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hoa invites you to Salon Mai!');
    expect(await page.getByRole('link', { name: 'Open in Telegram' }).isVisible()).toBe(true);
    // The language switch and a reload are the same visitor on the same day: still one opening.
    await page.reload();
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code, via: 'link' })).toBe(1);
    // Security headers from helmet: scripts only with this response's nonce, which changes on every response.
    const headers = response!.headers();
    const policy = (h: Record<string, string>) => h['content-security-policy']!.replace(/'nonce-[\w+/=]+'/, "'nonce-…'");
    expect(policy(headers)).toBe(
      "default-src 'none';style-src 'self';script-src 'nonce-…';img-src 'self' data:;form-action 'self';base-uri 'none';frame-ancestors 'none'",
    );
    const again = (await page.reload())!.headers()['content-security-policy'];
    expect(again).not.toBe(headers['content-security-policy']);
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'SAMEORIGIN' });
  });

  it('shows a name without its markup, and a name that was only markup as "a friend"', async () => {
    h.telegram.user(402, '<img src=x onerror=alert(1)>Mai').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(402, '<img src=x onerror=alert(1)>Mai'));
    const code = (await h.app.services.customers.findByIdentity('telegram:402'))!.code;
    const page = await browser.newPage();
    await page.goto(`${h.app.listenUrl}/r/${code}`);
    expect(await page.locator('h1').textContent()).toBe('Mai mời bạn đến Salon Mai!');
    expect(await page.locator('img').count()).toBe(0);

    h.telegram.user(403, '<img src=x onerror=alert(1)>').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(403, '<img src=x onerror=alert(1)>'));
    await page.goto(`${h.app.listenUrl}/r/${(await h.app.services.customers.findByIdentity('telegram:403'))!.code}`);
    expect(await page.locator('h1').textContent()).toBe('Một người bạn mời bạn đến Salon Mai!');
  });

  it('an unknown code gets a clear page, not an error', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${h.app.listenUrl}/r/ZZZZZZ`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Không tìm thấy lời mời');
    expect(await page.locator('main').innerText()).toContain('Link giới thiệu này không đúng.');
  });

  it("a Zalo customer's member QR opens a card page that leads staff to the customer in either bot", async () => {
    await joinOnZalo(h.zalo, h.zalo.user('z-thao', 'Thảo'));
    h.zalo.user('z-thao', 'Thảo').send('me');
    const qr = await h.zalo.waitForText('z-thao', 'Mã QR thành viên');
    const thao = (await h.app.services.customers.findByIdentity('zalo:z-thao'))!;
    const token = await h.app.services.memberCards.tokenFor(thao._id);
    const png = Buffer.from(await (await fetch(`${h.app.listenUrl}${new URL(qr.photo!).pathname}`)).arrayBuffer());
    // The QR carries the secret member token, not the public referral code.
    expect(readQr(png)).toBe(`${h.app.config.publicUrl}/m/${token}`);

    const page = await browser.newPage();
    expect((await page.goto(`${h.app.listenUrl}/m/${token.toLowerCase()}`))?.status()).toBe(200);
    expect(await page.getByRole('link', { name: 'Mở thẻ khách trong Telegram' }).getAttribute('href')).toBe(
      `https://t.me/salon_mai_bot?start=m_${token}`,
    );
    expect(await page.getByTestId('zalo-line').textContent()).toBe(`start m_${token}`);
    const text = await page.locator('main').innerText();
    expect(text).not.toContain('Thảo');
    expect(text).not.toContain(thao.code);
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Salon Mai member card');

    // The referral code opens nothing.
    expect((await page.goto(`${h.app.listenUrl}/m/${thao.code}`))?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Không tìm thấy thành viên');
  });
});
