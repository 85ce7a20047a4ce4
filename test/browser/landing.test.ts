import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { browserTestsRun, useBrowser } from '../support/browser.js';
import { joinOnTelegram } from '../support/consent.js';
import { programFile } from '../support/program-file.js';

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The landing page's preview card (Open Graph), its picture, and the shop's details from the rules. */
describe.runIf(browserTestsRun)('the landing page for friends in Chromium', () => {
  const rules = programFile((program) => {
    Object.assign(program.business, {
      name: 'Tiệm Nail "Hồng Đào" <3',
      address: '12 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh',
      phone: '028 3822 1234',
      hours: { vi: '9:00–21:00, mỗi ngày', en: '9am–9pm, every day' },
      mapUrl: 'https://maps.example/?q=12+Nguyen+Hue',
    });
  });
  const h = useTelegramApp('browser-landing', { PROGRAM_CONFIG: rules });
  const browser = useBrowser();

  it('has Open Graph tags with the offer, escaped, a PNG preview, the shop details and the referrer by given name', async () => {
    await joinOnTelegram(h.telegram, h.telegram.user(401, 'Trần Thị Thu Hà'));
    const code = (await h.app.services.customers.findByIdentity('telegram:401'))!.code;
    const page = await browser.newPage();
    await page.goto(`${h.app.listenUrl}/r/${code}`);
    const meta = (key: string) => page.locator(`meta[property="${key}"], meta[name="${key}"]`).getAttribute('content');
    expect(await page.locator('h1').textContent()).toBe('Hà mời bạn đến Tiệm Nail "Hồng Đào" <3!');
    expect(await meta('og:title')).toBe('Hà mời bạn đến Tiệm Nail "Hồng Đào" <3: Giảm 10% cho lần ghé đầu tiên');
    expect(await meta('og:description')).toContain(code);
    expect(await meta('og:url')).toBe(`${h.app.config.publicUrl}/r/${code}?lang=vi`);
    expect(await meta('twitter:card')).toBe('summary_large_image');
    const image = (await meta('og:image'))!;
    expect(image).toBe(`${h.app.config.publicUrl}/r/${code}/preview.png?lang=vi`);
    // The shop's name is escaped in the markup: the quote and "<" are text, not tags or attribute ends.
    const html = await (await fetch(`${h.app.listenUrl}/r/${code}`, { headers: { 'x-forwarded-for': '127.0.0.21' } })).text();
    expect(html).toContain('content="Hà mời bạn đến Tiệm Nail &quot;Hồng Đào&quot; &lt;3: Giảm 10% cho lần ghé đầu tiên"');
    expect(html).not.toMatch(/<style|style=/);

    expect(await page.getByTestId('address').textContent()).toBe('12 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh');
    expect(await page.getByTestId('hours').textContent()).toBe('9:00–21:00, mỗi ngày');
    expect(await page.getByTestId('phone').getAttribute('href')).toBe('tel:02838221234');
    expect(await page.getByTestId('map').getAttribute('href')).toBe('https://maps.example/?q=12+Nguyen+Hue');
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)).toBe(false);
    }
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.getByTestId('hours').textContent()).toBe('9am–9pm, every day');
    expect(await meta('og:title')).toBe('Hà invites you to Tiệm Nail "Hồng Đào" <3: 10% off your first visit');

    // The picture: a 1200×630 PNG, different per language, counted as no link open.
    await h.app.services.referrals.flushLinkOpens();
    const opens = await h.app.models.LinkOpen.countDocuments({ code });
    const fetchPng = async (lang: string) => {
      const response = await fetch(`${h.app.listenUrl}/r/${code}/preview.png?lang=${lang}`);
      expect(response.headers.get('content-type')).toBe('image/png');
      return Buffer.from(await response.arrayBuffer());
    };
    const vi = await fetchPng('vi');
    expect(vi.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(pngSize(vi)).toEqual({ width: 1200, height: 630 });
    expect((await fetchPng('en')).equals(vi)).toBe(false);
    expect((await fetchPng('vi')).equals(vi)).toBe(true);
    await h.app.services.referrals.flushLinkOpens();
    expect(await h.app.models.LinkOpen.countDocuments({ code })).toBe(opens);
    expect((await fetch(`${h.app.listenUrl}/r/ZZZZZZ/preview.png`)).status).toBe(404);
  });
});
