import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

describe('fraud review: reversal under retries and races, join notices per hour', () => {
  const h = useServices('fraud-review');

  /** A referrer, a friend who converted through a staff member, and the flag a confirmed self-referral raises. */
  async function convertedReferral(base: number) {
    const owner = await h.staff(base, 'Chủ', 'owner');
    const staff = await h.staff(base + 1, 'Lan');
    const { customer: referrer } = await h.join(base + 2, 'Hoa');
    const { customer: friend } = await h.join(base + 3, 'Hoa Hai');
    await h.services.referrals.attribute(friend._id, referrer.code, 'telegram');
    // The customer service writes PhoneHistory when a number is attached (another branch); seeded here.
    await h.db.models.PhoneHistory.create({ phone: `+849120${base}`, customerId: referrer._id, verified: false, at: h.clock.now() });
    await h.db.models.PhoneHistory.create({ phone: `+849120${base}`, customerId: friend._id, verified: true, at: h.clock.now() });
    await h.db.models.Customer.updateOne({ _id: friend._id }, { $set: { phone: `+849120${base}` } });
    const confirmed = await h.services.visits.confirmFirstVisit(staff, friend.code, 300_000);
    if (!confirmed.ok || !confirmed.referral) throw new Error('the referral converts');
    const flag = await h.db.models.FraudFlag.findOne({ rule: 'same_phone_as_referrer', customerId: friend._id }).lean();
    if (!flag) throw new Error('the phone rule fires');
    const referralId = (flag.details as { referralId: string }).referralId;
    return { owner, staff, referrer, friend, flag, referralId, vouchers: confirmed.referral };
  }

  it('five owners tapping confirm at once reverse the referral once and audit it once', async () => {
    const { owner, referrer, flag, referralId } = await convertedReferral(6100);
    const pointsBefore = (await h.services.customers.getById(referrer._id))!.points;
    const results = await Promise.all(Array.from({ length: 5 }, () => h.services.fraud.resolve(owner, String(flag._id), 'confirmed')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => r.ok)).toMatchObject({
      decision: 'confirmed',
      reversal: { vouchersCancelled: 2, vouchersUsed: 0, pointsReversed: 50 },
    });
    expect(await h.db.models.PointsEntry.countDocuments({ customerId: referrer._id, cause: 'reversal' })).toBe(1);
    expect((await h.services.customers.getById(referrer._id))!.points).toBe(pointsBefore - 50);
    expect(await h.db.models.Notification.countDocuments({ type: 'referral_reversed', key: new RegExp(referralId) })).toBe(2);
    expect(await h.db.models.AuditLog.countDocuments({ action: 'resolve_flag', 'details.flagId': String(flag._id) })).toBe(1);
    expect((await h.db.models.FraudFlag.findById(flag._id).lean())?.status).toBe('confirmed');
  });

  it('a confirmation that crashed after deciding is completed by the next tap, and a used voucher stays used', async () => {
    const { owner, staff, friend, flag, referralId, vouchers } = await convertedReferral(6200);
    // The friend already used their voucher at the counter before the review.
    expect(await h.services.vouchers.redeem(staff, vouchers.friendVoucher.code)).toMatchObject({ ok: true });
    // The first tap won the decision and stopped (process killed) before undoing anything.
    await h.db.models.Claim.create({ key: `flag_decision:${String(flag._id)}`, by: 'confirmed', at: h.clock.now() });
    const retried = await h.services.fraud.resolve(owner, String(flag._id), 'confirmed');
    expect(retried).toMatchObject({ ok: true, decision: 'confirmed', reversal: { vouchersCancelled: 1, vouchersUsed: 1, pointsReversed: 50 } });
    expect((await h.db.models.Voucher.findById(vouchers.friendVoucher._id).lean())?.status).toBe('redeemed');
    expect((await h.db.models.Voucher.findById(vouchers.referrerVoucher._id).lean())?.status).toBe('cancelled');
    // Nothing was taken from the friend, so only the referrer is told.
    expect(await h.db.models.Notification.countDocuments({ type: 'referral_reversed', customerId: friend._id })).toBe(0);
    expect(await h.services.vouchers.redeem(staff, vouchers.referrerVoucher.code)).toEqual({ ok: false, reason: 'cancelled' });
    expect(await h.services.fraud.resolve(owner, String(flag._id), 'dismissed')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.db.models.PointsEntry.countDocuments({ cause: 'reversal', causeKey: new RegExp(referralId) })).toBe(1);
  });

  it('a retried confirmation of a revoked referral issues nothing again', async () => {
    const { owner, staff, friend, flag } = await convertedReferral(6300);
    await h.services.fraud.resolve(owner, String(flag._id), 'confirmed');
    const again = await h.services.visits.confirmFirstVisit(staff, friend.code, 300_000);
    expect(again).toMatchObject({ ok: true, alreadyConfirmed: true });
    expect(again.ok && again.referral).toBeFalsy();
    expect(await h.db.models.Voucher.countDocuments({ customerId: friend._id, status: 'active' })).toBe(0);
  });

  it('tells the referrer of the first join at once and folds the rest of the hour into one digest', async () => {
    h.clock.current = new Date('2026-07-01T05:00:00Z');
    const { customer: referrer } = await h.join(6400, 'Vân');
    const join = async (id: number) => {
      const { customer } = await h.join(id, `Bạn ${id}`);
      return h.services.referrals.attribute(customer._id, referrer.code, 'telegram');
    };
    await join(6401);
    h.clock.current = new Date('2026-07-01T05:20:00Z');
    await Promise.all([join(6402), join(6403), join(6404)]);
    // The same friend again adds nothing.
    expect(await join(6402)).toMatchObject({ ok: true, duplicate: true });
    const notices = async () =>
      (await h.db.models.Notification.find({ customerId: referrer._id }).sort({ key: 1 }).lean()).map((n) => [n.type, n.nextAttemptAt.toISOString()]);
    expect(await notices()).toEqual([
      ['friend_joined', '2026-07-01T05:00:00.000Z'],
      ['friends_joined_digest', '2026-07-01T06:00:00.000Z'],
    ]);
    expect(await h.db.models.Referral.countDocuments({ joinNoticeKey: /^friends_joined_digest:/, referrerId: referrer._id })).toBe(3);

    // The next hour follows a busy one: its first join goes into that hour's digest too.
    h.clock.current = new Date('2026-07-01T06:10:00Z');
    await join(6405);
    // After a quiet hour, a join is told at once again.
    h.clock.current = new Date('2026-07-01T08:30:00Z');
    await join(6406);
    expect((await notices()).map(([type, at]) => `${type} ${at}`)).toEqual([
      'friend_joined 2026-07-01T05:00:00.000Z',
      'friend_joined 2026-07-01T08:30:00.000Z',
      'friends_joined_digest 2026-07-01T06:00:00.000Z',
      'friends_joined_digest 2026-07-01T07:00:00.000Z',
    ]);
  });
});
