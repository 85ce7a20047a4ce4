import type { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

describe('corrections: undo, points adjustments, cancelled vouchers', () => {
  const h = useServices('corrections');
  const m = () => h.db.models;
  const customer = async (id: Types.ObjectId) => (await m().Customer.findById(id).lean())!;
  const corrections = (customerId: Types.ObjectId) => m().Notification.find({ customerId, type: 'correction' }).lean();

  it('undoing a referred first visit reopens the referral, cancels both vouchers, takes back both points; the real first visit converts again', async () => {
    const staff = await h.staff(3001, 'Lễ tân');
    const { customer: a } = await h.join(3002, 'Anh');
    const { customer: b } = await h.join(3003, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    const first = await h.services.visits.confirmFirstVisit(staff, b.code, 300_000);
    if (!first.ok) throw new Error(first.reason);

    const undone = await h.services.corrections.undo(staff, undefined, 'nhầm khách', 'u1');
    expect(undone).toMatchObject({ ok: true, pointsTakenBack: 130, referralReopened: true, vouchersCancelled: 2, vouchersUsed: 0 });
    expect(await customer(b._id)).toMatchObject({ points: 0, visitCount: 0 });
    expect((await customer(b._id)).firstVisitAt).toBeUndefined();
    expect((await customer(a._id)).points).toBe(0);
    expect(await m().Referral.findOne({ friendId: b._id }).lean()).toMatchObject({ status: 'joined' });
    expect(
      (
        await m()
          .Voucher.find({ customerId: { $in: [a._id, b._id] } })
          .lean()
      ).map((v) => v.status),
    ).toEqual(['cancelled', 'cancelled']);
    expect(await m().Visit.findById(first.visit._id).lean()).toMatchObject({ key: `undone:${String(first.visit._id)}` });
    expect((await corrections(b._id)).map((n) => n.data as unknown)).toEqual([expect.objectContaining({ kind: 'visit_undone', points: 130 })]);
    expect((await corrections(a._id)).map((n) => n.data as unknown)).toEqual([expect.objectContaining({ kind: 'referral_undone', points: 50 })]);
    const audit = await m().AuditLog.find({ action: 'undo_visit', outcome: 'undone' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ reason: 'nhầm khách', points: 130 });

    // The friend's real first visit earns both rewards again, under new keys.
    const again = await h.services.visits.confirmFirstVisit(staff, b.code, 300_000);
    expect(again).toMatchObject({ ok: true, alreadyConfirmed: false, points: 130, referral: { referrerName: 'Anh' } });
    expect(await m().Referral.findOne({ friendId: b._id }).lean()).toMatchObject({ status: 'converted' });
    expect((await customer(a._id)).points).toBe(50);
    expect(await m().Voucher.countDocuments({ customerId: { $in: [a._id, b._id] }, status: 'active' })).toBe(2);
    expect(await m().Notification.countDocuments({ customerId: a._id, type: 'referral_converted' })).toBe(2);
    expect(await m().Notification.countDocuments({ customerId: b._id, type: 'welcome_reward' })).toBe(2);
  });

  it('20 concurrent undos of one visit reverse it once and send one message', async () => {
    const staff = await h.staff(3101, 'Lễ tân');
    const { customer: c } = await h.join(3102, 'Cúc');
    await h.services.visits.confirmFirstVisit(staff, c.code);
    h.clock.current = new Date(h.clock.current.getTime() + 60_000);
    await h.services.visits.recordVisit(staff, c.code, 500_000, 'v1');
    expect((await customer(c._id)).points).toBe(250);

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.services.corrections.undo(staff, undefined, '', `race-${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.reason)).toEqual(Array(19).fill('already_undone'));
    expect((await customer(c._id)).points).toBe(100);
    expect(await m().PointsEntry.countDocuments({ customerId: c._id, cause: 'undo' })).toBe(1);
    expect(await corrections(c._id)).toHaveLength(1);
    expect(await m().AuditLog.countDocuments({ action: 'undo_visit', outcome: 'undone', targetId: c._id })).toBe(1);
    // A later tap finds the last visit undone and undoes nothing more.
    expect(await h.services.corrections.undo(staff, undefined, '', 'later')).toMatchObject({ ok: false, reason: 'already_undone' });
    expect((await customer(c._id)).points).toBe(100);
  });

  it('an undo lowers the tier, and reaching it again is announced again', async () => {
    const staff = await h.staff(3201, 'Lễ tân');
    const { customer: d } = await h.join(3202, 'Dung');
    await h.services.visits.confirmFirstVisit(staff, d.code);
    await h.services.visits.recordVisit(staff, d.code, undefined, 'd1');
    expect(await customer(d._id)).toMatchObject({ points: 200, tier: 'member', tierRank: 1 });
    const undone = await h.services.corrections.undo(staff, undefined, '', 'd-undo');
    expect(undone).toMatchObject({ ok: true, tierLowered: true });
    expect(await customer(d._id)).toMatchObject({ points: 100, tierRank: 0 });
    expect((await customer(d._id)).tier).toBeUndefined();
    expect((await corrections(d._id))[0]?.data).toMatchObject({ kind: 'visit_undone', tierLowered: true, balance: 100 });
    await h.services.visits.recordVisit(staff, d.code, undefined, 'd2');
    expect(await customer(d._id)).toMatchObject({ points: 200, tier: 'member' });
    expect(await m().Notification.countDocuments({ customerId: d._id, type: 'tier_upgraded' })).toBe(2);
  });

  it('staff undo only their own visit within 60 minutes; the owner undoes any customer’s last visit', async () => {
    const staff = await h.staff(3301, 'Lễ tân');
    const owner = await h.staff(3300, 'Chủ', 'owner');
    const { customer: e } = await h.join(3302, 'Em');
    const { customer: plain } = await h.join(3303, 'Khách');
    const customerActor = { customerId: plain._id, identity: 'telegram:3303' };
    expect(await h.services.corrections.undo(staff, undefined, '', 'n0')).toMatchObject({ ok: false, reason: 'nothing_to_undo' });
    await h.services.visits.confirmFirstVisit(staff, e.code);
    h.clock.current = new Date(h.clock.current.getTime() + 61 * 60_000);
    expect(await h.services.corrections.undo(staff, undefined, '', 'n1')).toMatchObject({ ok: false, reason: 'too_old' });
    expect(await h.services.corrections.undo(staff, e.code, '', 'n2')).toMatchObject({ ok: false, reason: 'owner_only' });
    expect(await h.services.corrections.undo(customerActor, undefined, '', 'n3')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.corrections.undo(owner, 'ZZZZZZ', '', 'n4')).toMatchObject({ ok: false, reason: 'not_found' });
    expect((await customer(e._id)).points).toBe(100);
    expect(await m().AuditLog.countDocuments({ kind: 'refused', actorId: plain._id })).toBe(1);

    // Days later: the visit's closed day is marked for its report rollup to be rebuilt.
    h.clock.advanceDays(2);
    const staleBefore = await m().StaleDay.countDocuments();
    expect(await h.services.corrections.undo(owner, e.code, 'khách đổi ý', 'n5')).toMatchObject({ ok: true, pointsTakenBack: 100 });
    expect((await customer(e._id)).points).toBe(0);
    expect(await m().StaleDay.countDocuments()).toBeGreaterThan(staleBefore);
  });

  it('the owner adjusts points once per request, within bounds, never below zero, with a reason', async () => {
    const owner = await h.staff(3400, 'Chủ', 'owner');
    const staff = await h.staff(3401, 'Lễ tân');
    const { customer: f } = await h.join(3402, 'Phúc');
    const adjust = (amount: string, reason: string, key: string) => h.services.adjustments.adjustPoints(owner, f.code, amount, reason, key);
    expect(await h.services.adjustments.adjustPoints(staff, f.code, '+50', 'x', 's1')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await adjust('+0', 'x', 'a0')).toMatchObject({ ok: false, reason: 'zero' });
    expect(await adjust('+100001', 'x', 'a1')).toMatchObject({ ok: false, reason: 'too_large' });
    expect(await adjust('+5x', 'x', 'a2')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await adjust('+50', '   ', 'a3')).toMatchObject({ ok: false, reason: 'missing_reason' });
    expect(await adjust('-10', 'x', 'a4')).toMatchObject({ ok: false, reason: 'insufficient_points', balance: 0 });
    expect(await h.services.adjustments.adjustPoints(owner, 'ZZZZZZ', '+50', 'x', 'a5')).toMatchObject({ ok: false, reason: 'not_found' });
    expect(await m().PointsEntry.countDocuments({ customerId: f._id })).toBe(0);
    expect(await corrections(f._id)).toHaveLength(0);

    expect(await adjust('+250', 'bù lần ghé bị sót', 'a6')).toMatchObject({
      ok: true,
      balance: 250,
      repeated: false,
      tierUpgrade: { tier: 'member' },
    });
    expect(await adjust('+250', 'bù lần ghé bị sót', 'a6')).toMatchObject({ ok: true, balance: 250, repeated: true });
    expect(await customer(f._id)).toMatchObject({ points: 250, tier: 'member' });
    expect((await corrections(f._id)).map((n) => n.data as unknown)).toEqual([
      expect.objectContaining({ kind: 'points_adjusted', delta: 250, reason: 'bù lần ghé bị sót', tier: 'member', tierRaised: true }),
    ]);
    expect(await m().Notification.countDocuments({ customerId: f._id, type: 'tier_upgraded' })).toBe(0);

    expect(await adjust('-100', 'nhập sai', 'a7')).toMatchObject({ ok: true, balance: 150, tierLowered: true });
    expect(await customer(f._id)).toMatchObject({ points: 150, tierRank: 0 });
    expect(await m().AuditLog.countDocuments({ action: 'adjust_points', outcome: 'adjusted', targetId: f._id })).toBe(2);
    expect(await m().PointsEntry.countDocuments({ customerId: f._id, cause: 'adjustment' })).toBe(2);
  });

  it('the owner cancels an unused voucher; a used, cancelled or unknown one is refused', async () => {
    const owner = await h.staff(3500, 'Chủ', 'owner');
    const staff = await h.staff(3501, 'Lễ tân');
    const { customer: g } = await h.join(3502, 'Giang');
    const { customer: k } = await h.join(3503, 'Khánh');
    await h.services.referrals.attribute(k._id, g.code, 'telegram');
    const visit = await h.services.visits.confirmFirstVisit(staff, k.code);
    if (!visit.ok || !visit.referral) throw new Error('no referral');
    const { friendVoucher, referrerVoucher } = visit.referral;
    await h.services.vouchers.redeem(staff, referrerVoucher.code);

    expect(await h.services.adjustments.cancelVoucher(owner, friendVoucher.code, '', 'c0')).toEqual({ ok: false, reason: 'missing_reason' });
    expect(await h.services.adjustments.cancelVoucher(staff, friendVoucher.code, 'x', 'c1')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.adjustments.cancelVoucher(owner, 'ZZZZZZZZ', 'x', 'c2')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.adjustments.cancelVoucher(owner, referrerVoucher.code, 'x', 'c3')).toMatchObject({
      ok: false,
      reason: 'already_redeemed',
    });
    // From a customer's page (the back office), only that customer's vouchers: Khánh's voucher is not found on Giang's.
    expect(await h.services.adjustments.cancelVoucher(owner, friendVoucher.code, 'x', 'c6', g.code)).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.adjustments.cancelVoucher(owner, friendVoucher.code, 'tặng nhầm', 'c4', k.code)).toMatchObject({
      ok: true,
      customerName: 'Khánh',
    });
    expect(await h.services.adjustments.cancelVoucher(owner, friendVoucher.code, 'tặng nhầm', 'c4')).toMatchObject({ ok: true });
    expect(await h.services.adjustments.cancelVoucher(owner, friendVoucher.code, 'tặng nhầm', 'c5')).toMatchObject({
      ok: false,
      reason: 'cancelled',
    });
    expect(await h.services.vouchers.redeem(staff, friendVoucher.code)).toMatchObject({ ok: false, reason: 'cancelled' });
    expect((await corrections(k._id)).map((n) => n.data as unknown)).toEqual([
      expect.objectContaining({ kind: 'voucher_cancelled', voucherCode: friendVoucher.code, reason: 'tặng nhầm' }),
    ]);
    expect(await m().AuditLog.countDocuments({ action: 'cancel_voucher', outcome: 'voucher_cancelled' })).toBe(1);
  });
});
