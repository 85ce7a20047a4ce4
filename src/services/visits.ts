import type { Types } from 'mongoose';
import { isVisitAmount } from '../domain/amount.js';
import { meetsFirstVisitMinimum } from '../domain/fraud.js';
import { auditedQuery } from '../domain/phone.js';
import { milestonesReached, pointsForVisit, withinAttributionWindow } from '../domain/loyalty.js';
import { visitReceipt } from '../domain/wallet.js';
import { dayKey } from '../domain/schedule.js';
import type { Customer } from '../db/models/customer.js';
import type { Referral } from '../db/models/referral.js';
import type { Visit } from '../db/models/visit.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { CommissionService } from './commissions.js';
import type { CustomerService } from './customers.js';
import type { FraudService } from './fraud.js';
import type { PointsLedger, TierUpgrade } from './points.js';
import { rewardKeyFor, rewardKeyOf, type ReferralService } from './referrals.js';
import type {
  GivenReward,
  PartnerFriendVisitedData,
  ReferralConvertedData,
  TierReached,
  TierUpgradedData,
  VisitReceiptData,
  WelcomeRewardData,
} from './ports.js';
import type { VoucherService } from './vouchers.js';
import { givenName } from '../domain/names.js';

/** How many times a visit reads its customer's record back to mend a racing write (see refreshVisitCount). */
const SETTLE_TRIES = 10;

/** What a notification says about a voucher. */
const given = (voucher: Voucher): GivenReward => ({ reward: voucher.reward, voucherCode: voucher.code, expiresAt: voucher.expiresAt });
const tierReached = (upgrade: TierUpgrade | undefined): TierReached => (upgrade ? { tier: upgrade.tier, points: upgrade.points } : {});

export interface VisitOutcome {
  customer: Customer;
  visit: Visit;
  /** Balance after this visit. */
  points: number;
  tierUpgrade?: TierUpgrade;
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

export type ConfirmFirstVisitResult =
  | ({ ok: true; alreadyConfirmed: boolean } & VisitOutcome)
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'not_found' }
  /** Several customers typed this number and none verified it: staff must use the code. */
  | { ok: false; reason: 'ambiguous_phone' }
  | { ok: false; reason: 'own_visit' }
  | { ok: false; reason: 'invalid_amount' };

export type RecordVisitResult = ConfirmFirstVisitResult;

export function createVisitService(
  ctx: Pick<ServicePieces, 'program' | 'timezone' | 'now' | 'access' | 'audit' | 'outbox' | 'claims' | 'records' | 'staleDays'> & {
    models: Pick<Models, 'Visit' | 'Referral' | 'Customer'>;
  },
  customers: CustomerService,
  referrals: ReferralService,
  points: PointsLedger,
  vouchers: VoucherService,
  fraud: FraudService,
  commissions: Pick<CommissionService, 'onVisit' | 'onUndo'>,
) {
  const { models, program } = ctx;

  type Refusal = Extract<ConfirmFirstVisitResult, { ok: false }>;

  /** Who the staff member means, or why the command is refused (audited either way). */
  async function resolveTarget(actor: Actor, action: string, query: string, amount: number | undefined): Promise<{ customer: Customer } | Refusal> {
    const allowed = await ctx.access.authorize(actor, action, ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    if (amount !== undefined && !isVisitAmount(amount)) {
      return { ok: false, reason: 'invalid_amount' };
    }
    const found = await customers.lookup(query);
    if (!found.ok) {
      await ctx.audit.action(actor, action, found.reason, undefined, { query: auditedQuery(query) });
      return found;
    }
    const { customer } = found;
    if (customer._id.equals(actor.customerId)) {
      await ctx.audit.action(actor, action, 'own_visit', customer._id);
      return { ok: false, reason: 'own_visit' };
    }
    return { customer };
  }

  /** Inserts the visit once per key; returns it with whether this call created it. */
  async function recordOnce(key: string, fields: Omit<Visit, '_id' | 'key'>): Promise<{ visit: Visit; created: boolean }> {
    try {
      const created = await models.Visit.create({ key, ...fields, atDay: dayKey(fields.at, ctx.timezone) });
      return { visit: created.toObject<Visit>(), created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const earlier = await models.Visit.findOne({ key }).lean<Visit>();
      if (!earlier) throw error;
      return { visit: earlier, created: false };
    }
  }

  /**
   * Converts the friend's referral with this visit (one update: joined -> converted), then
   * issues both rewards, the referrer's points and milestones, tells the referrer in one
   * message, and runs the fraud rules. Every step is keyed by its cause, so running it again
   * after a crash completes what was missing and repeats nothing. A visit below the program's
   * minimum leaves it waiting for a later visit, which converts it then (see recordVisit).
   * The friend hears of their reward with the rest of their visit (see creditVisit).
   */
  async function settleReferral(
    actor: Actor,
    friend: Customer,
    visit: Visit,
  ): Promise<Pick<VisitOutcome, 'referral' | 'partnerReferral' | 'referralExpired' | 'referralHeld'>> {
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

  /**
   * Staff confirm a customer's first visit (by code or phone): visit points, and when they
   * came through a referral, both rewards. A repeated confirmation returns the earlier
   * result with alreadyConfirmed, after completing anything a crash left undone.
   */
  async function confirmFirstVisit(actor: Actor, query: string, amount?: number): Promise<ConfirmFirstVisitResult> {
    const target = await resolveTarget(actor, 'confirm_first_visit', query, amount);
    if (!('customer' in target)) return target;
    const { customer } = target;
    const at = ctx.now();
    const { visit, created } = await recordOnce(`first:${String(customer._id)}`, {
      customerId: customer._id,
      staffId: actor.customerId,
      // A regular from the shop's list is no new customer: the reports count first visits of new ones.
      first: !customer.importedAt,
      amount,
      points: pointsForVisit(amount, program.points),
      referred: false,
      at,
    });
    await ctx.records.recordFirstVisit(customer._id, visit.at);
    const referralOutcome = await settleReferral(actor, customer, visit);
    const outcome = await creditVisit(
      actor,
      customer,
      visit,
      created,
      referralOutcome,
      'confirm_first_visit',
      created ? 'confirmed' : 'already_confirmed',
    );
    return { ...outcome, ...referralOutcome };
  }

  /**
   * Points for a recorded visit (once per visit), the visitor's one message about it (the
   * receipt, with their referral reward or a tier crossed), the visit count, the audit entry,
   * and the result.
   */
  async function creditVisit(
    actor: Actor,
    customer: Customer,
    visit: Visit,
    created: boolean,
    { referral, partnerReferral }: Pick<VisitOutcome, 'referral' | 'partnerReferral'>,
    action: string,
    outcome: string,
  ): Promise<Extract<ConfirmFirstVisitResult, { ok: true }>> {
    const totals = await points.change(customer._id, visit.points, 'visit', `visit:${String(visit._id)}`);
    const balance = totals.points;
    const event = `visit:${String(visit._id)}`;
    const receipt = visitReceipt(visit.points, totals, program);
    const friendVoucher = (referral ?? partnerReferral)?.friendVoucher;
    const announce = async (upgrade: TierUpgrade | undefined) => {
      if (friendVoucher) {
        const data: WelcomeRewardData = { ...given(friendVoucher), ...tierReached(upgrade), receipt };
        await ctx.outbox.record(event, 'welcome_reward', customer._id, { ...data });
      } else if (upgrade) {
        const data: TierUpgradedData = { tier: upgrade.tier, points: upgrade.points, receipt };
        await ctx.outbox.record(event, 'tier_upgraded', customer._id, { ...data });
      } else {
        const data: VisitReceiptData = { receipt };
        await ctx.outbox.record(event, 'visit_receipt', customer._id, { ...data });
      }
    };
    const upgrade = await points.settleTier(customer._id, event, announce, { points: balance, tierRank: customer.tierRank });
    await commissions.onVisit(visit);
    // The visit count's write returns the record as it is now, for the reply.
    const [updated] = await Promise.all([
      refreshVisitCount(customer._id),
      ctx.audit.action(actor, action, outcome, customer._id, { amount: visit.amount }),
    ]);
    return {
      ok: true,
      alreadyConfirmed: !created,
      customer: updated ?? customer,
      visit,
      points: balance,
      // Said to staff by the call that recorded the visit; a repeat says "already recorded".
      tierUpgrade: created ? upgrade : undefined,
    };
  }

  /**
   * Staff record a later visit or purchase. `requestKey` (e.g. the chat update's id) makes
   * a redelivered command a no-op. A customer with no first visit yet gets it confirmed.
   */
  async function recordVisit(actor: Actor, query: string, amount: number | undefined, requestKey: string): Promise<RecordVisitResult> {
    const target = await resolveTarget(actor, 'record_visit', query, amount);
    if (!('customer' in target)) return target;
    const { customer } = target;
    if (!customer.firstVisitAt) return confirmFirstVisit(actor, query, amount);
    const { visit, created } = await recordOnce(`visit:${requestKey}`, {
      customerId: customer._id,
      staffId: actor.customerId,
      first: false,
      amount,
      points: pointsForVisit(amount, program.points),
      referred: !!customer.referrerId,
      at: ctx.now(),
    });
    // A referral held back by the minimum first-visit amount converts on a qualifying later visit.
    const referralOutcome = customer.referrerId ? await settleReferral(actor, customer, visit) : {};
    const outcome = await creditVisit(actor, customer, visit, created, referralOutcome, 'record_visit', created ? 'recorded' : 'already_recorded');
    return { ...outcome, ...referralOutcome };
  }

  /**
   * The visit's last write, then the record read back until its visit count, sums and tier hold
   * what the visits and the ledger say: where one update rewrites the whole record (FerretDB),
   * another event's write can put back an older copy, and the last writer's check mends it.
   */
  async function refreshVisitCount(customerId: Types.ObjectId): Promise<Customer | undefined> {
    let count = await models.Visit.countDocuments({ customerId, undoneAt: null });
    let stored = await ctx.records.setVisitCount(customerId, count);
    for (let i = 0; stored && i < SETTLE_TRIES; i++) {
      const short = (stored.visitCount ?? 0) < count;
      if (!(await points.restore(stored)) && !short) break;
      count = await models.Visit.countDocuments({ customerId, undoneAt: null });
      stored = await ctx.records.setVisitCount(customerId, count);
    }
    return stored;
  }

  /**
   * A visit undone (see corrections): it stays as a record, counts for nothing, and gives up its
   * key, so the customer's next first visit can be recorded; the visit count follows.
   */
  async function markUndone(visit: Visit, by: Types.ObjectId): Promise<void> {
    await models.Visit.updateOne(
      { _id: visit._id, undoneAt: null },
      { $set: { undoneAt: ctx.now(), undoneBy: by, key: `undone:${String(visit._id)}` } },
    );
    await ctx.records.recountVisits(visit.customerId, await models.Visit.countDocuments({ customerId: visit.customerId, undoneAt: null }));
    await ctx.staleDays.touch(visit.at);
    await commissions.onUndo(visit);
  }

  return { confirmFirstVisit, recordVisit, markUndone };
}

export type VisitService = ReturnType<typeof createVisitService>;
