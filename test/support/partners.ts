import type { Actor } from '../../src/services/index.js';
import type { ServiceHarness } from './services.js';

/** A partner made by the owner under `planId` (as `/partner add` does), and a friend who joined through their link. */
export async function partnerWithFriend(h: ServiceHarness, ids: { partner: number; friend: number }, planId = 'standard') {
  const { customer: partner } = await h.join(ids.partner, `Đối tác ${ids.partner}`);
  const owner = (await h.db.models.Customer.findOne({ role: 'owner' }).lean())!;
  const actor: Actor = { customerId: owner._id, identity: owner.lastIdentity! };
  const added = await h.services.partners.add(actor, partner.code, planId);
  if (!added.ok) throw new Error(`partner not added: ${added.reason}`);
  const { customer: friend } = await h.join(ids.friend, `Khách ${ids.friend}`);
  const attributed = await h.services.referrals.attribute(friend._id, partner.code, 'telegram');
  if (!attributed.ok) throw new Error(`friend not attributed: ${attributed.reason}`);
  return { partner, friend };
}
