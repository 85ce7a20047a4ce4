import { describe, expect, it } from 'vitest';
import { REVIEW_ASKS } from '../../src/jobs/reviews.js';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';
import { publishRules } from '../support/program-file.js';

/** The app's clock, moved forward by the test (the ask comes `askAfterHours` after the visit). */
let shift = 0;
const now = () => new Date(Date.now() + shift);
const later = (hours: number) => (shift += hours * 3600_000);
const links = [
  { name: 'Google Maps', url: 'https://maps.google.com/?cid=123' },
  { name: 'Facebook', url: 'https://facebook.com/salonmai/reviews' },
];
const reward = { kind: 'percent_off' as const, value: 15, label: { vi: 'Giảm 15% lần sau', en: '15% off next time' } };

/** Review rewards end to end on both apps: visit, ask, screenshot, the staff queue with the photo, approval, one voucher message. */
describe('review rewards through Telegram and Zalo', () => {
  const h = useTelegramApp('review-rewards', { OWNER_IDS: 'telegram:900,zalo:z-owner' }, { zalo: true, now });
  const customerOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 3100));

  it('a Telegram customer is asked after a visit, sends a screenshot, and gets the voucher once staff approve', async () => {
    h.telegram.user(900, 'Chủ').send('/start');
    await h.telegram.waitForText(900, 'Dữ liệu cá nhân của bạn');
    await publishRules(
      h,
      (await customerOf('telegram:900'))._id,
      (rules) => ({ ...rules, reviews: { links, reward, periodDays: 180, askAfterHours: 2 } }),
      'reviews',
    );
    const lan = h.telegram.user(301, 'Lan');
    lan.send('/start');
    await agreeOnTelegram(h.telegram, lan, { offers: true });
    await pause();
    // Before any ask, a photo is not taken.
    lan.sendPhoto('too-early');
    await h.telegram.waitForText(301, 'chỉ nhận ảnh chụp màn hình của đánh giá mà chúng tôi đã nhờ');
    h.telegram.user(900, 'Chủ').send(`/confirm ${(await customerOf('telegram:301')).code}`);
    await h.telegram.waitForText(900, 'Lan');

    // Not yet: the ask is due two hours after the visit.
    expect(await h.app.services.reviews.askAfterVisits()).toBe(0);
    later(2.1);
    await h.app.agenda.now(REVIEW_ASKS);
    await h.app.agenda.now(REVIEW_ASKS);
    const ask = await h.telegram.waitForText(301, '⭐ Cảm ơn bạn đã ghé Salon Mai!');
    expect(ask.text).toContain('Giảm 15% lần sau');
    expect(ask.text).toContain('/done');
    expect(ask.buttons).toEqual([
      { text: 'Google Maps', url: 'https://maps.google.com/?cid=123' },
      { text: 'Facebook', url: 'https://facebook.com/salonmai/reviews' },
    ]);
    await pause();
    lan.sendPhoto('lan-review');
    await h.telegram.waitForText(301, 'Chúng tôi đã nhận ảnh chụp màn hình');
    expect(await h.app.models.Voucher.countDocuments({ cause: 'review' })).toBe(0);

    h.telegram.user(900, 'Chủ').send('/reviews');
    const card = await h.telegram.waitForText(900, 'Đánh giá của Lan');
    // The largest of the sizes Telegram listed, sent back by its file id.
    expect(card.photoRef).toBe('lan-review');
    expect(card.buttons.map((b) => b.text)).toEqual(['✅ Duyệt', '❌ Từ chối']);
    h.telegram.user(900, 'Chủ').press('✅ Duyệt');
    await h.telegram.waitForText(900, 'Đã duyệt. Lan nhận quà');
    const gift = await h.telegram.waitForText(301, '⭐ Cảm ơn bạn đã đánh giá Salon Mai!');
    const voucher = await h.app.models.Voucher.findOne({ cause: 'review', customerId: (await customerOf('telegram:301'))._id }).lean();
    expect(gift.text).toContain(`Mã voucher: ${voucher!.code}`);
    // The same button again does nothing more.
    h.telegram.user(900, 'Chủ').press('✅ Duyệt');
    await h.telegram.waitForText(900, 'Đã thực hiện rồi');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.telegram.messagesTo(301).filter((m) => m.text.includes('đã đánh giá Salon Mai'))).toHaveLength(1);
    expect(await h.app.models.Voucher.countDocuments({ cause: 'review' })).toBe(1);
    await pause();
    h.telegram.user(900, 'Chủ').send('/reviews');
    await h.telegram.waitForText(900, 'Không có đánh giá nào chờ duyệt.');
  });

  it('a Zalo customer gets the links written out, sends a photo, and the Zalo owner approves with a number', async () => {
    const hoa = h.zalo.user('z-hoa', 'Hoa');
    hoa.send('Xin chào');
    await agreeOnZalo(h.zalo, hoa, { offers: true });
    await pause();
    const owner = h.zalo.user('z-owner', 'Chủ Zalo');
    owner.send('Xin chào');
    await agreeOnZalo(h.zalo, owner);
    await pause();
    owner.send(`confirm ${(await customerOf('zalo:z-hoa')).code}`);
    await h.zalo.waitForText('z-owner', 'Hoa');
    later(2.1);
    await h.app.agenda.now(REVIEW_ASKS);
    const ask = await h.zalo.waitForText('z-hoa', '⭐ Cảm ơn bạn đã ghé Salon Mai!');
    expect(ask.text).toContain('Google Maps: https://maps.google.com/?cid=123');
    expect(ask.text).toContain('Facebook: https://facebook.com/salonmai/reviews');
    hoa.sendPhoto('https://photo-stal.zadn.vn/hoa-review.jpg');
    await h.zalo.waitForText('z-hoa', 'Chúng tôi đã nhận ảnh chụp màn hình');

    await pause();
    owner.send('reviews');
    const card = await h.zalo.waitForText('z-owner', 'Đánh giá của Hoa');
    expect(card.photo).toBe('https://photo-stal.zadn.vn/hoa-review.jpg');
    expect(card.text).toContain('1. ✅ Duyệt');
    expect(card.text).toContain('2. ❌ Từ chối');
    owner.send('1');
    await h.zalo.waitForText('z-owner', 'Đã duyệt. Hoa nhận quà');
    const gift = await h.zalo.waitForText('z-hoa', '⭐ Cảm ơn bạn đã đánh giá Salon Mai!');
    const voucher = await h.app.models.Voucher.findOne({ cause: 'review', customerId: (await customerOf('zalo:z-hoa'))._id }).lean();
    expect(gift.text).toContain(`Mã voucher: ${voucher!.code}`);
    owner.send('1');
    await h.zalo.waitForText('z-owner', 'Đã thực hiện rồi');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.zalo.messagesTo('z-hoa').filter((m) => m.text.includes('đã đánh giá Salon Mai'))).toHaveLength(1);
  });
});
