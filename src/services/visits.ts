import type { Types } from 'mongoose';
import { isVisitAmount } from '../domain/amount.js';
import { auditedQuery } from '../domain/phone.js';
import { pointsForVisit } from '../domain/loyalty.js';
import { visitReceipt } from '../domain/wallet.js';
import { dayKey } from '../domain/schedule.js';
import type { Customer } from '../db/models/customer.js';
import type { Visit } from '../db/models/visit.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { CommissionService } from './commissions.js';
import type { CustomerService } from './customers.js';
import type { FraudService } from './fraud.js';
import type { PointsLedger, TierUpgrade } from './points.js';
import type { ReferralService } from './referrals.js';
import type { TierUpgradedData, VisitReceiptData, WelcomeRewardData } from './ports.js';
import type { VoucherService } from './vouchers.js';
import { createReferralConversion, given, tierReached, type ReferralOutcome } from './referral-conversion.js';

/** How many times a visit reads its customer's record back to mend a racing write (see refreshVisitCount). */
const SETTLE_TRIES = 10;

export interface VisitOutcome extends ReferralOutcome {
  customer: Customer;
  visit: Visit;
  /** Balance after this visit. */
  points: number;
  tierUpgrade?: TierUpgrade;
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
  const { settleReferral } = createReferralConversion(ctx, referrals, points, vouchers, fraud);

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
