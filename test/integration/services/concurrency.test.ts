import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

/** Invariants under races: unique indexes and single-document updates, no transactions. */
describe('invariants under 20 parallel calls', () => {
  const h = useServices('concurrency');

  it('20 confirmations of one friend: one conversion, one reward each side, one set of points', async () => {
    const staff = await h.staff(4001, 'Lễ tân');
    const { customer: a } = await h.join(4002, 'Anh');
    const { customer: b } = await h.join(4003, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');

    const results = await Promise.all(Array.from({ length: 20 }, () => h.services.visits.confirmFirstVisit(staff, b.code)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && !r.alreadyConfirmed)).toHaveLength(1);

    const m = h.db.models;
    expect(await m.Visit.countDocuments({ customerId: b._id })).toBe(1);
    expect((await m.Referral.find({ friendId: b._id }).lean()).map((r) => r.status)).toEqual(['converted']);
    expect(await m.Voucher.countDocuments({ customerId: a._id })).toBe(1);
    expect(await m.Voucher.countDocuments({ customerId: b._id })).toBe(1);
    expect(await m.PointsEntry.countDocuments({ customerId: a._id })).toBe(1);
    expect(await m.PointsEntry.countDocuments({ customerId: b._id })).toBe(1);
    expect((await m.Customer.findById(a._id).lean())?.points).toBe(h.program.points.perReferral);
    expect((await m.Customer.findById(b._id).lean())?.points).toBe(h.program.points.perVisit);
    expect((await m.Notification.find({ customerId: a._id, type: { $ne: 'friend_joined' } }).lean()).map((n) => n.type)).toEqual([
      'referral_converted',
    ]);
    expect((await m.Notification.find({ customerId: b._id }).lean()).map((n) => n.type)).toEqual(['welcome_reward']);
  });

  it('20 visits racing across the tiers: each tier announced at most once, the last one surely', async () => {
    const staff = await h.staff(4051, 'Lễ tân');
    const { customer: a } = await h.join(4052, 'Anh');
    await h.services.visits.confirmFirstVisit(staff, a.code);
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.services.visits.recordVisit(staff, a.code, undefined, `race-${i}`)));
    const m = h.db.models;
    const tiers = (await m.Notification.find({ customerId: a._id, type: 'tier_upgraded' }).lean()).map((n) => (n.data as { tier: string }).tier);
    expect(new Set(tiers).size).toBe(tiers.length);
    expect(tiers).toContain('gold');
    expect(await m.Customer.findById(a._id).lean()).toMatchObject({ points: 2100, tier: 'gold', tierRank: 3 });
  });

  it('6 friends of one referrer confirmed at once: the milestone is given and announced once', async () => {
    const staff = await h.staff(4061, 'Lễ tân');
    const { customer: a } = await h.join(4062, 'Anh');
    const friends = await Promise.all(Array.from({ length: 6 }, (_, i) => h.join(4063 + i, `Bạn ${i}`)));
    for (const { customer } of friends) await h.services.referrals.attribute(customer._id, a.code, 'telegram');
    await Promise.all(friends.map(({ customer }) => h.services.visits.confirmFirstVisit(staff, customer.code)));
    const m = h.db.models;
    const told = await m.Notification.find({ customerId: a._id, type: 'referral_converted' }).lean();
    expect(told).toHaveLength(6);
    const gifts = told.flatMap((n) => (n.data as { milestones: Array<{ friends: number; voucherCode: string }> }).milestones);
    const milestone = await m.Voucher.find({ customerId: a._id, cause: 'milestone' }).lean();
    expect(milestone).toHaveLength(1);
    expect(gifts).toEqual([expect.objectContaining({ friends: 5, voucherCode: milestone[0]!.code })]);
  });

  it('20 redemptions of one voucher: exactly one succeeds', async () => {
    const staff = await h.staff(4101, 'Lễ tân');
    const { customer: a } = await h.join(4102, 'Anh');
    const { customer: b } = await h.join(4103, 'Bình');
    await h.services.referrals.attribute(b._id, a.code, 'telegram');
    const confirmed = await h.services.visits.confirmFirstVisit(staff, b.code);
    if (!confirmed.ok || !confirmed.referral) throw new Error('expected a referral');
    const code = confirmed.referral.referrerVoucher.code;

    const results = await Promise.all(Array.from({ length: 20 }, () => h.services.vouchers.redeem(staff, code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already_redeemed')).toHaveLength(19);
  });

  it('20 joins of one identity and 20 attributions to different referrers: one customer, one referrer', async () => {
    const joins = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.services.customers.join({ identity: 'zalo:race4201', chatId: 'race4201', displayName: 'Đua', locale: 'vi' }),
      ),
    );
    expect(new Set(joins.map((j) => String(j.customer._id))).size).toBe(1);
    expect(joins.filter((j) => j.created)).toHaveLength(1);
    expect(await h.db.models.Customer.countDocuments({ _id: joins[0]!.customer._id })).toBe(1);
    expect(await h.db.models.ChannelIdentity.countDocuments({ identity: 'zalo:race4201' })).toBe(1);

    const referrers = await Promise.all(Array.from({ length: 20 }, (_, i) => h.join(4210 + i, `Người giới thiệu ${i}`)));
    const friendId = joins[0]!.customer._id;
    const results = await Promise.all(referrers.map(({ customer }) => h.services.referrals.attribute(friendId, customer.code, 'link')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already_referred')).toHaveLength(19);
    expect(await h.db.models.Referral.countDocuments({ friendId })).toBe(1);
    expect(await h.db.models.Notification.countDocuments({ type: 'friend_joined', 'data.friendId': String(friendId) })).toBe(1);
  });
});
