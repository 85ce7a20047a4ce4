import type { Types } from 'mongoose';
import { normalizeCode } from '../domain/codes.js';
import { checkJoinVolume } from '../domain/fraud.js';
import { startOfBusinessDay } from '../domain/loyalty.js';
import type { Customer, ReferralChannel } from '../db/models/customer.js';
import type { Reward } from '../program/schema.js';
import { isDuplicateKey, type ServiceContext } from './context.js';

export type AttributeResult =
  | { ok: true; referrer: Customer; friendReward: Reward; duplicate: boolean }
  | { ok: false; reason: 'unknown_code' }
  | { ok: false; reason: 'own_code' }
  | { ok: false; reason: 'already_referred'; referrerName: string }
  | { ok: false; reason: 'already_customer' };

export type LinkOpenResult = { ok: true; referrer: Customer } | { ok: false; reason: 'unknown_code' };

export function createReferralService(ctx: ServiceContext) {
  const { models, program } = ctx;

  async function findReferrer(rawCode: string): Promise<Customer | undefined> {
    const code = normalizeCode(rawCode);
    if (!code) return undefined;
    return (await models.Customer.findOne({ code }).lean<Customer>()) ?? undefined;
  }

  /**
   * Makes a newcomer the friend of the customer whose code they arrived with. Refused for
   * an unknown or own code, a friend who already has a referrer, or one who already had a
   * confirmed visit. The unique index on the friend keeps it to one referrer under races;
   * the same code again returns the earlier result.
   */
  async function attribute(friendId: Types.ObjectId, rawCode: string, via: ReferralChannel): Promise<AttributeResult> {
    const referrer = await findReferrer(rawCode);
    if (!referrer) return { ok: false, reason: 'unknown_code' };
    if (referrer._id.equals(friendId)) return { ok: false, reason: 'own_code' };
    const friend = await models.Customer.findById(friendId).lean<Customer>();
    if (!friend) return { ok: false, reason: 'unknown_code' };

    const existing = await models.Referral.findOne({ friendId }).lean();
    if (existing) return sameOrOther(existing.referrerId, referrer);
    if (friend.firstVisitAt) return { ok: false, reason: 'already_customer' };

    try {
      await models.Referral.create({ friendId, referrerId: referrer._id, code: referrer.code, via, joinedAt: ctx.now() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await models.Referral.findOne({ friendId }).lean();
      if (!winner) throw error;
      return sameOrOther(winner.referrerId, referrer);
    }
    await models.Customer.updateOne({ _id: friendId, referrerId: { $exists: false } }, { $set: { referrerId: referrer._id, referredVia: via } });
    await ctx.recordNotification(`friend_joined:${String(friendId)}`, 'friend_joined', referrer._id, {
      friendId: String(friendId),
      friendName: friend.name,
    });

    const dayStart = startOfBusinessDay(ctx.now(), ctx.timezone);
    const joinsToday = await models.Referral.countDocuments({ referrerId: referrer._id, joinedAt: { $gte: dayStart } });
    for (const rule of checkJoinVolume(joinsToday, program.fraud.maxJoinsPerReferrerPerDay)) {
      await ctx.flag(`${rule}:${String(referrer._id)}:${dayStart.toISOString()}`, rule, referrer._id, { joinsToday });
    }
    return { ok: true, referrer, friendReward: program.rewards.friend, duplicate: false };

    async function sameOrOther(existingReferrerId: Types.ObjectId, candidate: Customer): Promise<AttributeResult> {
      if (existingReferrerId.equals(candidate._id)) {
        return { ok: true, referrer: candidate, friendReward: program.rewards.friend, duplicate: true };
      }
      const first = await models.Customer.findById(existingReferrerId, { name: 1 }).lean();
      return { ok: false, reason: 'already_referred', referrerName: first?.name ?? '' };
    }
  }

  /** Counts a referral link or QR being opened (the top of the conversion funnel). */
  async function recordLinkOpen(rawCode: string, via: ReferralChannel): Promise<LinkOpenResult> {
    const referrer = await findReferrer(rawCode);
    if (!referrer) return { ok: false, reason: 'unknown_code' };
    await models.LinkOpen.create({ code: referrer.code, referrerId: referrer._id, via, at: ctx.now() });
    return { ok: true, referrer };
  }

  return { attribute, recordLinkOpen, findReferrer };
}

export type ReferralService = ReturnType<typeof createReferralService>;
