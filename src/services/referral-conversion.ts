import type { Types } from 'mongoose';
import { meetsFirstVisitMinimum } from '../domain/fraud.js';
import { milestonesReached, withinAttributionWindow } from '../domain/loyalty.js';
import { givenName } from '../domain/names.js';
import type { Customer } from '../db/models/customer.js';
import type { Referral } from '../db/models/referral.js';
import type { Visit } from '../db/models/visit.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { FraudService } from './fraud.js';
import type { PointsLedger, TierUpgrade } from './points.js';
import { rewardKeyFor, rewardKeyOf, type ReferralService } from './referrals.js';
import type { GivenReward, PartnerFriendVisitedData, ReferralConvertedData, TierReached } from './ports.js';
import type { VoucherService } from './vouchers.js';

/** What a visit did to the visitor's referral. */
export interface ReferralOutcome {
  /** Set when the visit converted a referral: who referred them and both rewards. */
  referral?: { referrerName: string; friendVoucher: Voucher; referrerVoucher: Voucher };
  /** Set instead when the referrer is a partner: they earn commission on the visits, only the friend gets a voucher. */
  partnerReferral?: { partnerName: string; friendVoucher: Voucher };
  /** The friend came too late for the referral to count (attribution window passed). */
  referralExpired?: boolean;
  /**
   * The visit was below the program's minimum for the referral rewards: the referral waits
   * for a visit of at least `minAmount` within the attribution window.
   */
  referralHeld?: { minAmount: number };
}

/** What a notification says about a voucher. */
export const given = (voucher: Voucher): GivenReward => ({ reward: voucher.reward, voucherCode: voucher.code, expiresAt: voucher.expiresAt });
export const tierReached = (upgrade: TierUpgrade | undefined): TierReached => (upgrade ? { tier: upgrade.tier, points: upgrade.points } : {});

/** A visit converting the visitor's referral: the rewards, the referrer's message, the fraud rules (part of the visits service). */
export function createReferralConversion(
  ctx: Pick<ServicePieces, 'program' | 'outbox' | 'claims' | 'staleDays'> & { models: Pick<Models, 'Visit' | 'Referral' | 'Customer'> },
  referrals: ReferralService,
  points: PointsLedger,
  vouchers: VoucherService,
  fraud: FraudService,
) {
  const { models, program } = ctx;

  /**
   * Converts the friend's referral with this visit (one update: joined -> converted), then
   * issues both rewards, the referrer's points and milestones, tells the referrer in one
   * message, and runs the fraud rules. Every step is keyed by its cause, so running it again
   * after a crash completes what was missing and repeats nothing. A visit below the program's
   * minimum leaves it waiting for a later visit, which converts it then (see recordVisit).
   * The friend hears of their reward with the rest of their visit (see creditVisit).
   */
  async function settleReferral(actor: Actor, friend: Customer, visit: Visit): Promise<ReferralOutcome> {
    let referral = await models.Referral.findOne({ friendId: friend._id }).lean<Referral>();
    if (!referral) return {};
    let expiredNow = false;
    if (referral.status === 'joined') {
      const inWindow = withinAttributionWindow(referral.joinedAt, visit.at, program.attribution.windowDays);
      const { minFirstVisitAmount } = program.fraud;
      if (inWindow && minFirstVisitAmount !== null && !meetsFirstVisitMinimum(visit.amount, minFirstVisitAmount)) {
        return { referralHeld: { minAmount: minFirstVisitAmount } };
      }
      referral = await referrals.settle(
        referral._id,
        inWindow
          ? { converted: { visitId: visit._id, at: visit.at, confirmedBy: actor.customerId, rewardKey: rewardKeyFor(referral, visit._id) } }
          : 'expired',
      );
      expiredNow = !inWindow;
    }
    if (!referral) return {};
    // A later visit says so only when it is the one that found the window passed.
    if (referral.status === 'expired') return visit.first || expiredNow ? { referralExpired: true } : {};
    if (referral.status !== 'converted' || !referral.visitId?.equals(visit._id)) return {};

    const referrer = await models.Customer.findById(referral.referrerId).lean<Customer>();
    if (!referrer) return {};
    await models.Visit.updateOne({ _id: visit._id }, { $set: { referred: true } });
    // A confirmation retried on a later day converts and counts on the visit's own day.
    await ctx.staleDays.touch(visit.at);
    const key = rewardKeyOf(referral);
    if (referral.partnerPlanId) {
      // A partner earns commission on this visit (services/commissions.ts), not the referral rewards.
      const friendVoucher = await vouchers.issue(friend._id, referrals.partnerWelcome(referral), 'referral_friend', `${key}:friend`);
      const data: PartnerFriendVisitedData = { friendName: givenName(friend.name ?? '') };
      await ctx.outbox.record(`partner_friend_visited:${key.slice('referral:'.length)}`, 'partner_friend_visited', referrer._id, { ...data });
      await fraud.reviewConversion(referral, friend, referrer, referral.confirmedBy ?? actor.customerId);
      return { partnerReferral: { partnerName: referrer.name, friendVoucher } };
    }
    const [friendVoucher, referrerVoucher, balance] = await Promise.all([
      vouchers.issue(friend._id, program.rewards.friend, 'referral_friend', `${key}:friend`),
      vouchers.issue(referrer._id, program.rewards.referrer, 'referral_referrer', `${key}:referrer`),
      points.add(referrer._id, program.points.perReferral, 'referral', key),
    ]);
    const event = `referral_converted:${key.slice('referral:'.length)}`;
    const milestones = await milestoneGifts(referrer._id, event);
    const announce = async (upgrade: TierUpgrade | undefined) => {
      const data: ReferralConvertedData = {
        friendName: givenName(friend.name ?? ''),
        ...given(referrerVoucher),
        milestones,
        ...tierReached(upgrade),
      };
      await ctx.outbox.record(event, 'referral_converted', referrer._id, { ...data });
    };
    // A milestone's reward may be bonus points, which changes the balance just read.
    await points.settleTier(referrer._id, event, announce, { points: milestones.length === 0 ? balance : undefined, tierRank: referrer.tierRank });
    await fraud.reviewConversion(referral, friend, referrer, referral.confirmedBy ?? actor.customerId);
    return { referral: { referrerName: referrer.name, friendVoucher, referrerVoucher } };
  }

  /**
   * The milestone gifts of the conversion `event`: each milestone reached is claimed by the
   * conversion that reached it first (a milestone given before claims existed keeps its
   * voucher and is not taken again), so racing conversions announce it once.
   */
  async function milestoneGifts(referrerId: Types.ObjectId, event: string): Promise<ReferralConvertedData['milestones']> {
    const confirmedFriends = await models.Referral.countDocuments({ referrerId, status: 'converted' });
    const gifts: ReferralConvertedData['milestones'] = [];
    for (const milestone of milestonesReached(confirmedFriends, program.milestones)) {
      const key = `milestone:${String(referrerId)}:${milestone.friends}`;
      const owns = (await vouchers.issued(key)) ? (await ctx.claims.holder(key))?.by === event : await ctx.claims.takeOrHold(key, event);
      if (!owns) continue;
      gifts.push({ friends: milestone.friends, ...given(await vouchers.issue(referrerId, milestone.reward, 'milestone', key)) });
    }
    return gifts;
  }

  return { settleReferral };
}
