import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram, agreeOnZalo } from '../support/consent.js';
import { waitForDeliveries } from '../support/deliveries.js';
import type { SentMessage } from '../support/telegram-emulator.js';

/** The points wallet through both chat apps: a visit's receipt, /rewards, claiming by button and by number, redeeming. */
describe('points wallet on Telegram and Zalo', () => {
  const h = useTelegramApp('wallet', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const staff = () => h.telegram.user(900, 'Chủ tiệm');
  const an = () => h.telegram.user(301, 'An');
  const hoa = () => h.zalo.user('z-hoa', 'Hoa');
  const customerOf = async (identity: string) => (await h.app.services.customers.findByIdentity(identity))!;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 700));
  const nextTelegram = async (chatId: number, act: () => void): Promise<SentMessage> => {
    const before = h.telegram.messagesTo(chatId).length;
    act();
    return (await h.telegram.waitForMessages(chatId, before + 1))[before]!;
  };
  const nextZalo = async (chatId: string, act: () => void) => {
    const before = h.zalo.messagesTo(chatId).length;
    act();
    return (await h.zalo.waitForMessages(chatId, before + 1))[before]!;
  };
  const wallet = async (identity: string) => {
    const c = await customerOf(identity);
    const vouchers = await h.app.models.Voucher.find({ customerId: c._id, cause: 'catalogue' }).lean();
    const spends = await h.app.models.PointsEntry.countDocuments({ customerId: c._id, cause: 'claim' });
    return { points: c.points, balance: c.balance, vouchers, spends };
  };

  it('a visit sends the customer one receipt: points earned, balance, the next tier, a reward now affordable', async () => {
    staff().send('/start');
    await agreeOnTelegram(h.telegram, staff());
    an().send('/start');
    await agreeOnTelegram(h.telegram, an());
    // An sends several messages in a row below (/rewards, two presses, /rewards): out of the flood window of the agreement.
    await new Promise((r) => setTimeout(r, 3100));
    await waitForDeliveries(h.app.models);
    const before = h.telegram.messagesTo(301).length;
    // 100 for the visit and 300 for 3.000.000 VND.
    staff().send(`/confirm ${(await customerOf('telegram:301')).code} 3000k`);
    await h.telegram.waitForText(900, 'Đã xác nhận lần ghé đầu tiên của An');
    await waitForDeliveries(h.app.models);
    const received = h.telegram.messagesTo(301).slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('+400 điểm, số dư 400. Còn 100 điểm nữa để lên Bạc.');
    expect(received[0]!.text).toContain('🎁 Bạn đã đủ điểm đổi quà số 1: Một lần gội sấy miễn phí (300 điểm). Gõ /claim 1 để đổi.');
    expect(received[0]!.text).toContain('Bạn đã lên hạng Thành viên');
  });

  it('/rewards shows balance, lifetime points, the catalogue with what is affordable, and a button per affordable reward', async () => {
    const rewards = await nextTelegram(301, () => an().send('/rewards'));
    expect(rewards.text).toContain('💰 Số dư: 400 điểm. Điểm tích lũy (xét hạng): 400.');
    expect(rewards.text).toContain('✅ 1. Một lần gội sấy miễn phí: 300 điểm');
    expect(rewards.text).toContain('▫️ 2. Giảm 50.000 ₫: 500 điểm');
    expect(rewards.text).toContain('Còn 100 điểm nữa để đổi quà số 2 (Giảm 50.000 ₫).');
    expect(rewards.buttons.map((b) => b.text)).toEqual(['🎁 Đổi quà số 1 (300 điểm)']);
  });

  it('a double-pressed claim button spends once and issues one voucher, which staff redeem as any other', async () => {
    an().press('🎁 Đổi quà số 1 (300 điểm)');
    an().press('🎁 Đổi quà số 1 (300 điểm)');
    const claimed = await h.telegram.waitForText(301, 'Bạn đã đổi 300 điểm lấy: Một lần gội sấy miễn phí.');
    expect(claimed.text).toContain('Số dư còn 100 điểm.');
    await h.telegram.waitForText(301, /Đã thực hiện rồi|Thao tác này đã được thực hiện rồi/);
    const after = await wallet('telegram:301');
    expect(after).toMatchObject({ points: 400, balance: 100, spends: 1 });
    expect(after.vouchers).toHaveLength(1);
    expect(claimed.text).toContain(`Mã voucher: ${after.vouchers[0]!.code}`);
    expect((await customerOf('telegram:301')).tier).toBe('member');

    await pause();
    await nextTelegram(900, () => staff().send(`/redeem ${after.vouchers[0]!.code}`));
    expect((await h.app.models.Voucher.findById(after.vouchers[0]!._id).lean())?.status).toBe('redeemed');
    const rewards = await nextTelegram(301, () => an().send('/rewards'));
    expect(rewards.text).toContain('💰 Số dư: 100 điểm. Điểm tích lũy (xét hạng): 400.');
    expect(rewards.buttons).toEqual([]);
  });

  it('on Zalo the affordable rewards are numbered: a reply of the number claims once, a repeat says it was done', async () => {
    hoa().send('Xin chào');
    await agreeOnZalo(h.zalo, hoa());
    await pause();
    // 100 for the visit and 500 for 5.000.000 VND.
    staff().send(`/confirm ${(await customerOf('zalo:z-hoa')).code} 5000k`);
    await h.zalo.waitForText('z-hoa', '+600 điểm, số dư 600. Còn 400 điểm nữa để lên Vàng.');
    await pause();
    const rewards = await nextZalo('z-hoa', () => hoa().send('rewards'));
    expect(rewards.text).toContain('💰 Số dư: 600 điểm.');
    expect(rewards.text).toContain('1. 🎁 Đổi quà số 1 (300 điểm)\n2. 🎁 Đổi quà số 2 (500 điểm)\nTrả lời bằng số: 1, 2');
    const claimed = await nextZalo('z-hoa', () => hoa().send('2'));
    expect(claimed.text).toContain('Bạn đã đổi 500 điểm lấy: Giảm 50.000 ₫.');
    await pause();
    const again = await nextZalo('z-hoa', () => hoa().send('2'));
    expect(again.text).toContain('Đã thực hiện rồi');
    await pause();
    // Typed, the command needs points it no longer has.
    const typed = await nextZalo('z-hoa', () => hoa().send('claim 1'));
    expect(typed.text).toBe('Quà số 1 (Một lần gội sấy miễn phí) cần 300 điểm, số dư của bạn là 100 điểm (còn thiếu 200). Không có điểm nào bị trừ.');
    const after = await wallet('zalo:z-hoa');
    expect(after).toMatchObject({ points: 600, balance: 100, spends: 1 });
    expect(after.vouchers.map((v) => v.reward.value)).toEqual([50000]);
  });
});
