import type { ServiceHarness } from './services.js';

/**
 * A partner (an active Partner record under `planId`) and a friend attributed to them. Until the
 * partners service sets it at attribution, the referral's partnerPlanId is written through the
 * models, like the Partner record (test setup only).
 */
export async function partnerWithFriend(h: ServiceHarness, ids: { partner: number; friend: number }, planId = 'standard') {
  const { customer: partner } = await h.join(ids.partner, `Đối tác ${ids.partner}`);
  const owner = (await h.db.models.Customer.findOne({ role: 'owner' }).lean())!;
  await h.db.models.Partner.updateOne(
    { customerId: partner._id },
    { $setOnInsert: { customerId: partner._id, planId, status: 'active', addedBy: owner._id, addedAt: h.clock.now() } },
    { upsert: true },
  );
  const { customer: friend } = await h.join(ids.friend, `Khách ${ids.friend}`);
  await h.services.referrals.attribute(friend._id, partner.code, 'telegram');
  await h.db.models.Referral.updateOne({ friendId: friend._id }, { $set: { partnerPlanId: planId } });
  return { partner, friend };
}
