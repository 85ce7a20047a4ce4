import { beforeAll, describe, expect, it } from 'vitest';
import { createNotificationRenderer } from '../../../src/channels/conversation/notifications.js';
import type { Customer } from '../../../src/db/models/customer.js';
import { createI18n } from '../../../src/i18n.js';
import { parseProgram } from '../../../src/program/load.js';
import type { Reward } from '../../../src/program/schema.js';
import type { NotificationRenderer, ReferralConvertedData, TierUpgradedData, WelcomeRewardData } from '../../../src/services/ports.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };

const program = parseProgram(structuredClone(defaultProgram));
const expiresAt = new Date('2026-07-31T16:59:59Z');
const bonus: Reward = { kind: 'bonus_points', value: 300, label: { vi: 'Tặng 300 điểm', en: '300 bonus points' } };
const [freeWash, , bonus500] = program.milestones.map((m) => m.reward);
const vi = { locale: 'vi', name: 'An', code: 'ABC234' } as Customer;
const en = { locale: 'en', name: 'An', code: 'ABC234' } as Customer;

describe('the event notifications, rendered in the recipient language', () => {
  let render: NotificationRenderer;
  beforeAll(async () => {
    render = createNotificationRenderer(await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' }), program);
  });
  const converted = (data: Partial<ReferralConvertedData>) => ({
    type: 'referral_converted' as const,
    data: { friendName: 'Bình', reward: program.rewards.referrer, voucherCode: 'REF23456', expiresAt, milestones: [], ...data },
  });
  const welcome = (data: Partial<WelcomeRewardData>) => ({
    type: 'welcome_reward' as const,
    data: { reward: program.rewards.friend, voucherCode: 'FRI23456', expiresAt, ...data },
  });

  it('referral_converted: the friend, the reward and its code', () => {
    expect(render(converted({}), vi)).toBe(
      '🎁 Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu! Bạn nhận Giảm 20% cho lần dịch vụ tiếp theo. Mã voucher: REF23456 (hạn đến 31 thg 7, 2026).',
    );
    expect(render(converted({}), en)).toBe(
      '🎁 Bình just came to Salon Mai for the first time thanks to you! You get 20% off your next service. Voucher code: REF23456 (valid until 31 Jul 2026).',
    );
    expect(render(converted({ friendName: '' }), en)).toContain('🎁 a friend just came to Salon Mai');
    // The referrer reads the friend's given name, not the whole Vietnamese full name.
    expect(render(converted({ friendName: 'Lê Văn Bình' }), vi)).toMatch(/^🎁 Bình vừa ghé Salon Mai/);
  });

  it('referral_converted with milestones (a voucher and bonus points) and a tier: one text with every part', () => {
    const data = {
      milestones: [
        { friends: 5, reward: freeWash!, voucherCode: 'MIL23456', expiresAt },
        { friends: 25, reward: bonus500!, voucherCode: 'BON23456', expiresAt },
      ],
      tier: 'member',
      points: 250,
    };
    expect(render(converted(data), vi)!.split('\n')).toEqual([
      '🎁 Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu! Bạn nhận Giảm 20% cho lần dịch vụ tiếp theo. Mã voucher: REF23456 (hạn đến 31 thg 7, 2026).',
      '🏆 Bạn đã giới thiệu thành công 5 người! Quà của bạn: Một lần gội sấy miễn phí. Mã voucher: MIL23456 (hạn đến 31 thg 7, 2026).',
      '🏆 Bạn đã giới thiệu thành công 25 người! Quà của bạn: 500 điểm thưởng, đã được cộng vào tài khoản.',
      '🌟 Chúc mừng! Bạn đã lên hạng Thành viên tại Salon Mai với 250 điểm. Quyền lợi của bạn: Ưu tiên đặt lịch.',
    ]);
    expect(render(converted(data), en)!.split('\n')).toEqual([
      '🎁 Bình just came to Salon Mai for the first time thanks to you! You get 20% off your next service. Voucher code: REF23456 (valid until 31 Jul 2026).',
      '🏆 5 friends came in through you! Your gift: A free wash and blow-dry. Voucher code: MIL23456 (valid until 31 Jul 2026).',
      '🏆 25 friends came in through you! Your gift: 500 bonus points, already added to your balance.',
      '🌟 Congratulations! You reached Member at Salon Mai with 250 points. Your perk: Priority booking.',
    ]);
  });

  it('referral_converted with a bonus-points reward says the points were added, with no code', () => {
    expect(render(converted({ reward: bonus }), vi)).toBe(
      '🎁 Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu! Bạn được cộng 300 điểm thưởng vào tài khoản.',
    );
    expect(render(converted({ reward: bonus }), en)).toBe(
      '🎁 Bình just came to Salon Mai for the first time thanks to you! 300 bonus points were added to your balance.',
    );
  });

  it('welcome_reward: the reward and its code, with a tier crossed by the visit', () => {
    expect(render(welcome({}), vi)).toBe(
      '🎁 Chào mừng bạn đến Salon Mai! Ưu đãi lần đầu của bạn: Giảm 10% cho lần ghé đầu tiên. Mã voucher: FRI23456 (hạn đến 31 thg 7, 2026).',
    );
    expect(render(welcome({ tier: 'silver', points: 520 }), en)!.split('\n')).toEqual([
      '🎁 Welcome to Salon Mai! Your first-visit offer: 10% off your first visit. Voucher code: FRI23456 (valid until 31 Jul 2026).',
      '🌟 Congratulations! You reached Silver at Salon Mai with 520 points. Your perk: 10% off every bill.',
    ]);
    expect(render(welcome({ tier: 'silver', points: 520 }), vi)).toContain(
      '\n🌟 Chúc mừng! Bạn đã lên hạng Bạc tại Salon Mai với 520 điểm. Quyền lợi của bạn: Giảm 10% mỗi hóa đơn.',
    );
  });

  it('welcome_reward with bonus points says the points were added', () => {
    expect(render(welcome({ reward: bonus }), vi)).toBe(
      '🎁 Chào mừng bạn đến Salon Mai! Quà lần đầu của bạn: 300 điểm thưởng, đã được cộng vào tài khoản.',
    );
    expect(render(welcome({ reward: bonus }), en)).toBe(
      '🎁 Welcome to Salon Mai! Your first-visit gift: 300 bonus points, already added to your balance.',
    );
  });

  it('tier_upgraded: the congratulation alone; a tier the program no longer has says nothing', () => {
    // A notification recorded before tier ids names the tier by its English name: it still reads in the reader's language.
    const data: TierUpgradedData = { tier: 'Gold', points: 1000 };
    expect(render({ type: 'tier_upgraded', data }, vi)).toBe(
      '🌟 Chúc mừng! Bạn đã lên hạng Vàng tại Salon Mai với 1000 điểm. Quyền lợi của bạn: Giảm 15% mỗi hóa đơn.',
    );
    expect(render({ type: 'tier_upgraded', data }, en)).toBe(
      '🌟 Congratulations! You reached Gold at Salon Mai with 1000 points. Your perk: 15% off every bill.',
    );
    expect(render({ type: 'tier_upgraded', data: { tier: 'Platinum', points: 5000 } }, vi)).toBeUndefined();
  });

  it("records written before one message per event and still owed read as their event's message", () => {
    const old = (data: Record<string, unknown>) => ({
      type: 'reward_issued' as const,
      data: { reward: program.rewards.referrer, voucherCode: 'OLD23456', expiresAt, ...data },
    });
    expect(render(old({ cause: 'referral_referrer', friendName: 'Bình' }), vi)).toBe(render(converted({ voucherCode: 'OLD23456' }), vi));
    expect(render(old({ cause: 'referral_friend', reward: program.rewards.friend }), en)).toBe(render(welcome({ voucherCode: 'OLD23456' }), en));
    expect(render(old({ cause: 'milestone', friends: 5 }), vi)).toMatch(/^🏆 Bạn đã giới thiệu thành công 5 người! .*OLD23456/);
    // Their companions said again what the reward says: nothing is left to send.
    expect(render({ type: 'friend_visit_confirmed', data: { friendName: 'Bình' } }, vi)).toBeUndefined();
    expect(render({ type: 'milestone_reached', data: { friends: 5 } }, vi)).toBeUndefined();
  });

  it('visit_receipt: points earned, balance, the next tier, each reward now affordable; at the top tier no tier line', () => {
    const receipt = { earned: 135, balance: 420, nextTier: 'silver', toNextTier: 80, unlocked: [1, 7] };
    expect(render({ type: 'visit_receipt', data: { receipt } }, vi)).toBe(
      '🧾 Cảm ơn bạn đã ghé Salon Mai! +135 điểm, số dư 420. Còn 80 điểm nữa để lên Bạc.\n' +
        '🎁 Bạn đã đủ điểm đổi quà số 1: Một lần gội sấy miễn phí (300 điểm). Gõ /claim 1 để đổi.',
    );
    expect(render({ type: 'visit_receipt', data: { receipt: { earned: 100, balance: 1200 } } }, en)).toBe(
      '🧾 Thank you for visiting Salon Mai! +100 points, balance 1200.',
    );
  });

  it('tier_upgraded and welcome_reward carry the receipt; records from before receipts read as before', () => {
    const receipt = { earned: 200, balance: 300, nextTier: 'silver', toNextTier: 200 };
    const data: TierUpgradedData = { tier: 'member', points: 300, receipt };
    expect(render({ type: 'tier_upgraded', data }, en)).toBe(
      '🧾 Thank you for visiting Salon Mai! +200 points, balance 300. 200 more points to reach Silver.\n' +
        '🌟 Congratulations! You reached Member at Salon Mai with 300 points. Your perk: Priority booking.',
    );
    const welcomed = render(welcome({ receipt }), vi)!;
    expect(welcomed.split('\n')[1]).toBe('🧾 Cảm ơn bạn đã ghé Salon Mai! +200 điểm, số dư 300. Còn 200 điểm nữa để lên Bạc.');
  });

  it('points_expiry_reminder: the balance and the day it expires', () => {
    expect(render({ type: 'points_expiry_reminder', data: { balance: 400, expiresAt } }, en)).toBe(
      '⏳ 400 points in your wallet at Salon Mai expire on 31 Jul 2026 unless used. Visit or claim a reward (/rewards) to keep them.',
    );
  });
});
