import type { Types } from 'mongoose';
import { cleanReason, takeBackAmount, withinStaffUndoWindow } from '../domain/corrections.js';
import { auditedQuery } from '../domain/phone.js';
import type { Customer } from '../db/models/customer.js';
import type { Referral } from '../db/models/referral.js';
import type { Visit } from '../db/models/visit.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import type { Actor, Grant } from './access.js';
import type { ServicePieces } from './context.js';
import type { CustomerService } from './customers.js';
import type { PointsLedger } from './points.js';
import { rewardKeyOf, type ReferralService } from './referrals.js';
import type { VisitService } from './visits.js';
import type { VoucherService } from './vouchers.js';
import { balanceOf } from '../domain/wallet.js';
import { givenName } from '../domain/names.js';

/** What undoing a visit changed, for the staff member's reply. */
export interface UndoneVisit {
  /** The customer as they are after the undo (points, tier, visit count). */
  customer: Customer;
  visit: Visit;
  pointsTakenBack: number;
  /** The visit had converted a referral: it waits again for the friend's first visit. */
  referralReopened: boolean;
  vouchersCancelled: number;
  /** Vouchers of that referral already used at the counter: a use cannot be taken back. */
  vouchersUsed: number;
  tierLowered: boolean;
}

export type UndoResult =
  | ({ ok: true } & UndoneVisit)
  | { ok: false; reason: 'not_allowed' }
  /** Staff named a customer: only the owner undoes someone else's visit. */
  | { ok: false; reason: 'owner_only' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'ambiguous_phone' }
  | { ok: false; reason: 'nothing_to_undo' }
  | { ok: false; reason: 'too_old'; at: Date }
  | { ok: false; reason: 'already_undone'; at: Date };

export type CorrectionDeps = Pick<ServicePieces, 'now' | 'access' | 'audit' | 'outbox' | 'claims' | 'records' | 'staleDays'> & {
  models: Pick<Models, 'Visit' | 'Referral' | 'Customer' | 'PointsEntry'>;
};

const isBonus = (voucher: Voucher) => voucher.reward.kind === 'bonus_points';

/**
 * Undoing a recorded visit. Staff undo the last visit they recorded, within an hour; the owner
 * their own last one or any customer's last visit, of any age. The undo is claimed under the
 * visit by the request (a double tap or 20 racing requests undo it once; a redelivered request
 * finishes what a crash left), and every step is keyed so that a rerun repeats nothing.
 */
export function createCorrectionService(
  ctx: CorrectionDeps,
  customers: CustomerService,
  visits: VisitService,
  referrals: ReferralService,
  points: PointsLedger,
  vouchers: VoucherService,
) {
  const { models } = ctx;

  /**
   * Takes back what `causeKey` credited, at most what the balance holds (it never goes below
   * zero), once: the undo entry's key is the cause's. Returns the points taken back.
   */
  async function takeBack(customerId: Types.ObjectId, causeKey: string): Promise<number> {
    const undoKey = `undo:${causeKey}`;
    const [entry, earlier] = await Promise.all([
      models.PointsEntry.findOne({ causeKey }).lean(),
      models.PointsEntry.findOne({ causeKey: undoKey }).lean(),
    ]);
    if (earlier) return -earlier.delta;
    if (!entry || entry.delta <= 0 || !entry.customerId.equals(customerId)) return 0;
    // At most what can still be spent: points already spent on a reward are not taken twice.
    const balance = balanceOf((await models.Customer.findById(customerId, { points: 1, balance: 1 }).lean()) ?? {});
    const back = takeBackAmount(entry.delta, balance);
    if (back > 0) await points.add(customerId, -back, 'undo', undoKey);
    return back;
  }

  /** The visit the actor means, or why there is none to undo. */
  async function findVisit(actor: Grant, query: string | undefined): Promise<{ visit: Visit } | Extract<UndoResult, { ok: false }>> {
    let filter: { staffId: Types.ObjectId } | { customerId: Types.ObjectId } = { staffId: actor.customerId };
    if (query !== undefined) {
      if (actor.role !== 'owner') return { ok: false, reason: 'owner_only' };
      const found = await customers.lookup(query);
      if (!found.ok) return found;
      filter = { customerId: found.customer._id };
    }
    const visit = await models.Visit.findOne(filter).sort({ at: -1, _id: -1 }).lean<Visit>();
    if (!visit) return { ok: false, reason: 'nothing_to_undo' };
    if (visit.undoneAt) return { ok: false, reason: 'already_undone', at: visit.undoneAt };
    if (actor.role !== 'owner' && !withinStaffUndoWindow(visit.at, ctx.now())) return { ok: false, reason: 'too_old', at: visit.at };
    return { visit };
  }

  /**
   * Undoes the visit the actor means (see findVisit). `requestKey` names the request (the chat
   * update). The reason, when given, is kept in the audit log.
   */
  async function undo(actor: Actor, query: string | undefined, rawReason: string | undefined, requestKey: string): Promise<UndoResult> {
    const allowed = await ctx.access.authorize(actor, 'undo_visit', ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    const reason = cleanReason(rawReason);
    const target = await findVisit(allowed.actor, query);
    if (!('visit' in target)) {
      await ctx.audit.action(actor, 'undo_visit', target.reason, undefined, query ? { query: auditedQuery(query) } : {});
      return target;
    }
    const { visit } = target;
    const key = `undo:${String(visit._id)}`;
    if (!(await ctx.claims.takeOrHold(key, requestKey))) {
      const holder = await ctx.claims.holder(key);
      return { ok: false, reason: 'already_undone', at: holder?.at ?? ctx.now() };
    }
    const undone = await reverse(visit, actor.customerId);
    if (await ctx.claims.take(`undo_audited:${String(visit._id)}`)) {
      await ctx.audit.action(actor, 'undo_visit', 'undone', visit.customerId, {
        visitId: String(visit._id),
        reason,
        points: undone.pointsTakenBack,
        vouchersCancelled: undone.vouchersCancelled,
        vouchersUsed: undone.vouchersUsed,
        referralReopened: undone.referralReopened,
      });
    }
    return { ok: true, ...undone };
  }

  /** Every step of undoing a visit, each keyed by the visit, so a rerun completes what is missing. */
  async function reverse(visit: Visit, by: Types.ObjectId): Promise<UndoneVisit> {
    const visitId = String(visit._id);
    const pointsTakenBack = await takeBack(visit.customerId, `visit:${visitId}`);
    const referral = await models.Referral.findOne({ friendId: visit.customerId }).lean<Referral>();
    // Only a conversion by this visit, and not one the fraud review revoked (already reversed).
    const converted = !!referral?.visitId?.equals(visit._id) && (referral.status === 'converted' || referral.status === 'joined');
    const referralPart = converted && referral ? await reopenReferral(referral, visit) : { cancelled: [], used: [], friendBonus: 0 };
    if (visit.first) await ctx.records.clearFirstVisit(visit.customerId, visit.at);
    await visits.markUndone(visit, by);
    const { lowered } = await points.lowerTierToPoints(visit.customerId);
    const customer = await models.Customer.findById(visit.customerId).lean<Customer>();
    const balance = balanceOf(customer ?? {});
    const friendCodes = referralPart.cancelled.filter((v) => v.customerId.equals(visit.customerId) && !isBonus(v)).map((v) => v.code);
    await ctx.outbox.record(`correction:undo:${visitId}`, 'correction', visit.customerId, {
      kind: 'visit_undone',
      at: visit.at,
      points: pointsTakenBack + referralPart.friendBonus,
      vouchers: friendCodes,
      balance,
      tier: customer?.tier,
      tierLowered: lowered,
    });
    return {
      customer: customer ?? ({} as Customer),
      visit,
      pointsTakenBack,
      referralReopened: converted,
      vouchersCancelled: referralPart.cancelled.length,
      vouchersUsed: referralPart.used.length,
      tierLowered: lowered,
    };
  }

  /**
   * The referral this visit converted goes back to `joined` (a shop owner expects the friend's
   * real first visit to still earn both rewards): its unused vouchers are cancelled, its points
   * (the referrer's, and any bonus points its rewards paid) taken back, and the referrer told.
   */
  async function reopenReferral(referral: Referral, visit: Visit): Promise<{ cancelled: Voucher[]; used: Voucher[]; friendBonus: number }> {
    const rewardKey = rewardKeyOf(referral);
    await referrals.reopen(referral._id, visit._id);
    await ctx.staleDays.touch(referral.convertedAt ?? visit.at);
    const { cancelled, used } = await vouchers.cancelUnused([`${rewardKey}:friend`, `${rewardKey}:referrer`], `undo:${String(visit._id)}`);
    let referrerPoints = await takeBack(referral.referrerId, rewardKey);
    let friendBonus = 0;
    for (const voucher of [...cancelled, ...used].filter(isBonus)) {
      const back = await takeBack(voucher.customerId, `voucher:${voucher.code}`);
      if (voucher.customerId.equals(referral.referrerId)) referrerPoints += back;
      else friendBonus += back;
    }
    const referrerCodes = cancelled.filter((v) => v.customerId.equals(referral.referrerId) && !isBonus(v)).map((v) => v.code);
    const { lowered } = await points.lowerTierToPoints(referral.referrerId);
    if (referrerCodes.length > 0 || referrerPoints > 0) {
      const [friend, referrer] = await Promise.all([
        models.Customer.findById(referral.friendId, { name: 1 }).lean(),
        models.Customer.findById(referral.referrerId, { tier: 1 }).lean(),
      ]);
      await ctx.outbox.record(`correction:undo:${String(visit._id)}:referrer`, 'correction', referral.referrerId, {
        kind: 'referral_undone',
        friendName: givenName(friend?.name ?? ''),
        vouchers: referrerCodes,
        points: referrerPoints,
        tier: referrer?.tier,
        tierLowered: lowered,
      });
    }
    return { cancelled, used, friendBonus };
  }

  return { undo };
}

export type CorrectionService = ReturnType<typeof createCorrectionService>;
