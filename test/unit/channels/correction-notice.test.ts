import { beforeAll, describe, expect, it } from 'vitest';
import { createNotificationRenderer } from '../../../src/channels/conversation/notifications.js';
import type { Customer } from '../../../src/db/models/customer.js';
import { createI18n } from '../../../src/i18n.js';
import { parseProgram } from '../../../src/program/load.js';
import type { NotificationRenderer } from '../../../src/services/ports.js';
import defaultProgram from '../../../src/program/default-program.json' with { type: 'json' };

const program = parseProgram(structuredClone(defaultProgram));
const vi = { locale: 'vi', name: 'An', code: 'ABC234' } as Customer;
const en = { locale: 'en', name: 'An', code: 'ABC234' } as Customer;
const at = new Date('2026-06-01T03:00:00Z');

describe('the correction message, in the recipient language', () => {
  let render: NotificationRenderer;
  beforeAll(async () => {
    render = createNotificationRenderer(await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' }), program);
  });
  const correction = (data: Record<string, unknown>) => ({ type: 'correction' as const, data });

  it('an undone visit: points and vouchers taken back, the balance, a tier lost', () => {
    const data = { kind: 'visit_undone', at, points: 130, vouchers: ['FRI23456'], balance: 70, tierLowered: true };
    expect(render(correction(data), vi)).toBe(
      'ℹ️ Salon Mai đã hoàn tác lần ghé ngày 1 thg 6, 2026 được ghi nhầm: trừ lại 130 điểm và voucher FRI23456 không còn dùng được. Điểm hiện tại của bạn: 70.\nBạn hiện chưa có hạng.',
    );
    expect(render(correction({ ...data, vouchers: [], tierLowered: false }), en)).toBe(
      'ℹ️ Salon Mai undid your visit of 1 Jun 2026, recorded by mistake: 130 points taken back. Your points now: 70.',
    );
  });

  it('the referrer of an undone conversion, an adjustment with a tier reached, a cancelled voucher', () => {
    expect(render(correction({ kind: 'referral_undone', friendName: 'Lê Văn Bình', vouchers: ['REF23456'], points: 50 }), en)).toBe(
      'ℹ️ Salon Mai undid a visit of Bình recorded by mistake, so your referral reward waits for their real first visit: 50 points taken back and voucher REF23456 can no longer be used.',
    );
    expect(
      render(correction({ kind: 'points_adjusted', delta: 250, reason: 'missed visit', balance: 250, tier: 'member', tierRaised: true }), en),
    ).toBe(
      'ℹ️ Salon Mai added 250 points for you. Reason: missed visit. Your points now: 250.\n🌟 Congratulations! You reached Member at Salon Mai with 250 points. Your perk: Priority booking.',
    );
    expect(render(correction({ kind: 'points_adjusted', delta: -40, reason: 'nhập sai', balance: 160, tier: 'member', tierLowered: true }), vi)).toBe(
      'ℹ️ Salon Mai đã trừ 40 điểm của bạn. Lý do: nhập sai. Điểm hiện tại: 160.\nHạng của bạn hiện là Thành viên.',
    );
    const reward = program.rewards.friend;
    expect(render(correction({ kind: 'voucher_cancelled', voucherCode: 'FRI23456', reward, reason: 'given by mistake' }), en)).toBe(
      'ℹ️ Salon Mai cancelled your voucher FRI23456 (10% off your first visit). Reason: given by mistake.',
    );
    // Nothing to say to a referrer who lost nothing.
    expect(render(correction({ kind: 'referral_undone', vouchers: [], points: 0 }), vi)).toBeUndefined();
  });
});
