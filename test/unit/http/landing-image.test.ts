import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../src/i18n.js';
import { createLandingImages, wrapText } from '../../../src/http/landing-image.js';
import { createViews } from '../../../src/http/views.js';

describe('the landing page preview picture', () => {
  it('is a 1200×630 PNG that changes with the shop name, drawn with the font from npm', async () => {
    const i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
    const images = createLandingImages(createViews(i18n));
    const text = { locale: 'vi' as const, business: 'Salon Mai', offer: 'Giảm 10% cho lần ghé đầu tiên', invite: 'Hoa mời bạn', code: 'ABC234' };
    const png = images.render(text);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
    expect(images.render({ ...text, business: 'Tiệm Nail Hồng Đào' }).equals(png)).toBe(false);
    // Letters that differ only in their diacritic draw differently: without the glyphs both would be the same box or nothing.
    expect(images.render({ ...text, business: 'Mả' }).equals(images.render({ ...text, business: 'Mạ' }))).toBe(false);
  });

  it('wraps long words into lines and cuts what does not fit', () => {
    expect(wrapText('Giảm 10% cho lần ghé đầu tiên', 12, 3)).toEqual(['Giảm 10% cho', 'lần ghé đầu', 'tiên']);
    expect(wrapText('a b c d e f', 3, 2)).toEqual(['a b', 'c …']);
  });
});
