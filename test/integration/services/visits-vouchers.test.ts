import { describe, expect, it } from 'vitest';
import type { ReferralConvertedData } from '../../../src/services/ports.js';
import { useServices } from '../../support/services.js';

describe('first visits, rewards, points and tiers', () => {
  const h = useServices('visits');

  it('converts a referral on the first visit: both rewards, visit and referral points, one message each', async () => {
    const staff = await h.staff(2001, 'Lễ tân');
    const { customer: a } = await h.join(2002, 'Anh');
    const { customer: b } = await h.join(2003, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');

    const result = await h.services.visits.confirmFirstVisit(staff, b.code, 300_000);
    if (!result.ok) throw new Error(result.reason);
    expect(result.alreadyConfirmed).toBe(false);
    expect(result.points).toBe(130);
    expect(result.referral?.referrerName).toBe('Anh');
    expect(result.referral?.friendVoucher.reward.label.en).toBe('10% off your first visit');
    expect(result.referral?.referrerVoucher.reward.label.en).toBe('20% off your next service');

    const referral = await h.db.models.Referral.findOne({ friendId: b._id }).lean();
    expect(referral?.status).toBe('converted');
    expect((await h.db.models.Customer.findById(a._id).lean())?.points).toBe(50);
    expect(await h.db.models.Voucher.countDocuments({ customerId: a._id, cause: 'referral_referrer' })).toBe(1);
    expect(await h.db.models.Voucher.countDocuments({ customerId: b._id, cause: 'referral_friend' })).toBe(1);
    const types = (await h.db.models.Notification.find({ customerId: { $in: [a._id, b._id] } }).lean()).map((n) => n.type).sort();
    expect(types).toEqual(['friend_joined', 'referral_converted', 'welcome_reward']);
    expect(await h.db.models.AuditLog.countDocuments({ action: 'confirm_first_visit', outcome: 'confirmed' })).toBe(1);
  });

  it('returns the earlier result for a repeated confirmation and issues nothing twice', async () => {
    const staff = await h.staff(2101, 'Lễ tân');
    const { customer: a } = await h.join(2102, 'Anh');
    const { customer: b } = await h.join(2103, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    await h.services.visits.confirmFirstVisit(staff, b.code);
    h.clock.advanceDays(1);
    const again = await h.services.visits.confirmFirstVisit(staff, b.code);
    expect(again).toMatchObject({ ok: true, alreadyConfirmed: true, points: 100 });
    expect(await h.db.models.Voucher.countDocuments({ customerId: { $in: [a._id, b._id] } })).toBe(2);
    expect(await h.db.models.PointsEntry.countDocuments({ customerId: { $in: [a._id, b._id] } })).toBe(2);
  });

  it('a retried confirmation completes the steps a crash left undone, once', async () => {
    const staff = await h.staff(2151, 'Lễ tân');
    const { customer: a } = await h.join(2152, 'Anh');
    const { customer: b } = await h.join(2153, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    await h.services.visits.confirmFirstVisit(staff, b.code);
    // As if the process died right after converting the referral: nothing after it was written.
    const m = h.db.models;
    await m.Voucher.deleteMany({ customerId: { $in: [a._id, b._id] } });
    await m.PointsEntry.deleteMany({ customerId: a._id });
    await m.Notification.deleteMany({ customerId: { $in: [a._id, b._id] }, type: { $ne: 'friend_joined' } });

    const retried = await h.services.visits.confirmFirstVisit(staff, b.code);
    expect(retried).toMatchObject({ ok: true, alreadyConfirmed: true, referral: { referrerName: 'Anh' } });
    await h.services.visits.confirmFirstVisit(staff, b.code);
    expect(await m.Voucher.countDocuments({ customerId: a._id, cause: 'referral_referrer' })).toBe(1);
    expect(await m.Voucher.countDocuments({ customerId: b._id, cause: 'referral_friend' })).toBe(1);
    expect(await m.PointsEntry.countDocuments({ customerId: a._id })).toBe(1);
    const types = (await m.Notification.find({ customerId: { $in: [a._id, b._id] } }).lean()).map((n) => n.type).sort();
    expect(types).toEqual(['friend_joined', 'referral_converted', 'welcome_reward']);
  });

  it('confirms a first visit without a referrer with points only', async () => {
    const staff = await h.staff(2201, 'Lễ tân');
    const { customer: c } = await h.join(2202, 'Chi');
    const result = await h.services.visits.confirmFirstVisit(staff, c.code);
    expect(result).toMatchObject({ ok: true, points: 100 });
    expect(result.ok && result.referral).toBeFalsy();
    expect(await h.db.models.Voucher.countDocuments({ customerId: c._id })).toBe(0);
  });

  it('gives no referral rewards when the friend comes after the attribution window', async () => {
    const staff = await h.staff(2301, 'Lễ tân');
    const { customer: a } = await h.join(2302, 'Anh');
    const { customer: b } = await h.join(2303, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'link');
    h.clock.advanceDays(h.program.attribution.windowDays + 1);
    const result = await h.services.visits.confirmFirstVisit(staff, b.code);
    expect(result).toMatchObject({ ok: true, referralExpired: true, points: 100 });
    expect((await h.db.models.Referral.findOne({ friendId: b._id }).lean())?.status).toBe('expired');
    expect(await h.db.models.Voucher.countDocuments({ customerId: { $in: [a._id, b._id] } })).toBe(0);
  });

  it('refuses non-staff, unknown customers, own visits and bad amounts, changing nothing', async () => {
    const { customer: plain } = await h.join(2401, 'Khách');
    const notStaff = { customerId: plain._id, identity: 'telegram:2401' };
    const staff = await h.staff(2402, 'Lễ tân');
    const { customer: b } = await h.join(2403, 'Bình');
    expect(await h.services.visits.confirmFirstVisit(notStaff, b.code)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.visits.confirmFirstVisit(staff, 'ZZZZZZ')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.visits.confirmFirstVisit(staff, '0999 999 999')).toEqual({ ok: false, reason: 'not_found' });
    const self = await h.db.models.Customer.findById(staff.customerId).lean();
    expect(await h.services.visits.confirmFirstVisit(staff, self!.code)).toEqual({ ok: false, reason: 'own_visit' });
    expect(await h.services.visits.confirmFirstVisit(staff, b.code, -5)).toEqual({ ok: false, reason: 'invalid_amount' });
    expect(await h.db.models.Visit.countDocuments({ customerId: b._id })).toBe(0);
    expect((await h.db.models.Customer.findById(b._id).lean())?.firstVisitAt).toBeUndefined();
    expect(await h.db.models.AuditLog.countDocuments({ actorId: plain._id, outcome: 'not_allowed' })).toBe(1);
  });

  it('records later visits once per request, and moves the customer up tiers with one congratulation each', async () => {
    const staff = await h.staff(2501, 'Lễ tân');
    const { customer: a } = await h.join(2502, 'Anh');
    await h.services.visits.confirmFirstVisit(staff, a.code);
    const second = await h.services.visits.recordVisit(staff, a.code, undefined, 'req-1');
    expect(second).toMatchObject({ ok: true, points: 200, tierUpgrade: { tier: 'member', rank: 1 } });
    const repeated = await h.services.visits.recordVisit(staff, a.code, undefined, 'req-1');
    expect(repeated).toMatchObject({ ok: true, alreadyConfirmed: true, points: 200 });
    expect(repeated.ok && repeated.tierUpgrade).toBeFalsy();
    await h.services.visits.recordVisit(staff, a.code, 3_000_000, 'req-2');
    const customer = await h.db.models.Customer.findById(a._id).lean();
    expect(customer).toMatchObject({ points: 600, tier: 'silver', tierRank: 2, visitCount: 3 });
    const upgrades = await h.db.models.Notification.find({ customerId: a._id, type: 'tier_upgraded' }).lean();
    expect(upgrades.map((n) => (n.data as { tier: string }).tier).sort()).toEqual(['member', 'silver']);
  });

  it('a rerun after a crash between the tier claim and the message announces the tier in that message, once', async () => {
    const staff = await h.staff(2551, 'Lễ tân');
    const { customer: a } = await h.join(2552, 'Anh');
    const { customer: b } = await h.join(2553, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    // 100 points for the visit and 100 for 1.000.000 VND: Member.
    await h.services.visits.confirmFirstVisit(staff, b.code, 1_000_000);
    const m = h.db.models;
    // As if the process died after claiming the tier: neither the message nor the tier were written.
    await m.Notification.deleteMany({ customerId: b._id });
    await m.Customer.updateOne({ _id: b._id }, { $set: { tierRank: 0 }, $unset: { tier: 1 } });

    await h.services.visits.confirmFirstVisit(staff, b.code, 1_000_000);
    const [welcome] = await m.Notification.find({ customerId: b._id }).lean();
    expect(welcome).toMatchObject({ type: 'welcome_reward', data: { tier: 'member', points: 200 } });
    expect(await m.Customer.findById(b._id).lean()).toMatchObject({ tier: 'member', tierRank: 1 });
    await h.services.visits.recordVisit(staff, b.code, undefined, 'after-crash');
    // The later visit sends its receipt, without the tier again.
    const notes = await m.Notification.find({ customerId: b._id }).sort({ createdAt: 1 }).lean();
    expect(notes.map((n) => [n.type, (n.data as { tier?: string }).tier])).toEqual([
      ['welcome_reward', 'member'],
      ['visit_receipt', undefined],
    ]);
  });

  it('issues a milestone reward once when a referrer reaches 5 confirmed friends', async () => {
    const staff = await h.staff(2601, 'Lễ tân');
    const { customer: a } = await h.join(2602, 'Anh');
    for (let i = 0; i < 6; i++) {
      const { customer: friend } = await h.join(2610 + i, `Bạn ${i}`);
      await h.services.referrals.attribute(friend._id, a.code, 'telegram');
      await h.services.visits.confirmFirstVisit(staff, friend.code);
    }
    const milestones = await h.db.models.Voucher.find({ customerId: a._id, cause: 'milestone' }).lean();
    expect(milestones).toHaveLength(1);
    expect(milestones[0]?.reward.kind).toBe('free_service');
    // Six conversions, six messages; the fifth carries the milestone gift with its code.
    const told = await h.db.models.Notification.find({ customerId: a._id, type: 'referral_converted' }).lean();
    expect(told).toHaveLength(6);
    const gifts = told.flatMap((n) => (n.data as ReferralConvertedData).milestones);
    expect(gifts).toEqual([expect.objectContaining({ friends: 5, voucherCode: milestones[0]?.code })]);
    const status = await h.services.status.getCustomerStatus(a._id);
    expect(status).toMatchObject({
      referralsJoined: 6,
      referralsConfirmed: 6,
      nextMilestone: { milestone: { friends: 10 }, friendsToGo: 4 },
      tier: { id: 'member' },
      next: { tier: { id: 'silver' }, pointsToGo: 200 },
    });
    expect(status?.activeVouchers).toHaveLength(7);
  });

  it('redeems an active voucher once, and refuses expired, redeemed, unknown and own vouchers', async () => {
    const staff = await h.staff(2701, 'Lễ tân');
    const { customer: a } = await h.join(2702, 'Anh');
    const { customer: b } = await h.join(2703, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    const confirmed = await h.services.visits.confirmFirstVisit(staff, b.code);
    if (!confirmed.ok || !confirmed.referral) throw new Error('expected a referral');
    const code = confirmed.referral.referrerVoucher.code;

    expect(await h.services.vouchers.redeem(staff, code.toLowerCase())).toMatchObject({ ok: true, customerName: 'Anh' });
    expect(await h.services.vouchers.redeem(staff, code)).toMatchObject({ ok: false, reason: 'already_redeemed' });
    expect(await h.services.vouchers.redeem(staff, 'ZZZZZZZZ')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.vouchers.redeem(staff, 'short')).toEqual({ ok: false, reason: 'invalid_code' });
    const { customer: plain } = await h.join(2704, 'Khách');
    expect(await h.services.vouchers.redeem({ customerId: plain._id, identity: 'telegram:2704' }, confirmed.referral.friendVoucher.code)).toEqual({
      ok: false,
      reason: 'not_allowed',
    });

    h.clock.advanceDays(h.program.vouchers.validityDays + 1);
    expect(await h.services.vouchers.redeem(staff, confirmed.referral.friendVoucher.code)).toMatchObject({ ok: false, reason: 'expired' });
    expect(await h.services.vouchers.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await h.db.models.Voucher.findOne({ code: confirmed.referral.friendVoucher.code }).lean())?.status).toBe('expired');
  });

  it('refuses a staff member redeeming their own voucher and flags it', async () => {
    const owner = await h.staff(2801, 'Chủ', 'owner');
    const staffA = await h.staff(2802, 'Nhân viên A');
    const { customer: friend } = await h.join(2803, 'Bạn');
    const staffCustomer = await h.db.models.Customer.findById(staffA.customerId).lean();
    await h.services.referrals.attribute(friend._id, staffCustomer!.code, 'telegram');
    const confirmed = await h.services.visits.confirmFirstVisit(owner, friend.code);
    if (!confirmed.ok || !confirmed.referral) throw new Error('expected a referral');
    expect(await h.services.vouchers.redeem(staffA, confirmed.referral.referrerVoucher.code)).toEqual({ ok: false, reason: 'own_voucher' });
    expect(await h.db.models.FraudFlag.countDocuments({ rule: 'staff_redeems_own_voucher' })).toBe(1);
  });
});
