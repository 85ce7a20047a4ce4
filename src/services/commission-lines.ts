import type { Types } from 'mongoose';
import { commissionFor, monthBounds, monthKey, snapshotOf, type RuleSnapshot } from '../domain/commission.js';
import type { CommissionLine } from '../db/models/commission-line.js';
import type { Models } from '../db/models/index.js';
import type { Referral } from '../db/models/referral.js';
import type { Visit } from '../db/models/visit.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

export type CommissionLinesDeps = Pick<ServicePieces, 'program' | 'timezone' | 'now' | 'claims' | 'logger'> & {
  models: Pick<Models, 'CommissionLine' | 'Referral' | 'Visit' | 'Partner' | 'ProgramClose'>;
};

/** The customer's converted partner referral and the rule of its plan. */
interface PartnerSource {
  referral: Referral & { convertedAt: Date; visitId: Types.ObjectId };
  planId: string;
  rule: RuleSnapshot;
}

type LineFields = Omit<CommissionLine, '_id'>;

/**
 * Commission lines from confirmed visits (see domain/commission.ts for the maths). Each line is
 * inserted under its unique key, so a rerun after a crash writes nothing twice. Whether a line
 * is voided by an undo or frozen by its month's close is decided by one claim per line
 * (`commission_line:<key>`, held by 'void' or 'frozen'): an undo racing the close either voids
 * the line before it is counted, or finds it counted and writes a negative adjustment in the
 * month open at the undo.
 */
export function createCommissionLines(ctx: CommissionLinesDeps) {
  const { models, timezone } = ctx;
  const stateKey = (line: Pick<CommissionLine, 'key'>) => `commission_line:${line.key}`;

  /** A month takes new lines until its close starts; `closing` is the month the caller is closing. */
  async function isOpen(month: string, closing?: string): Promise<boolean> {
    return month === closing || !(await models.ProgramClose.exists({ month }));
  }

  async function sourceOf(customerId: Types.ObjectId): Promise<PartnerSource | undefined> {
    const referral = await models.Referral.findOne({ friendId: customerId }).lean<Referral>();
    if (!referral?.partnerPlanId || referral.status !== 'converted' || !referral.convertedAt || !referral.visitId) return undefined;
    const plan = ctx.program.partners.plans.find((p) => p.id === referral.partnerPlanId);
    if (!plan) {
      ctx.logger.warn({ planId: referral.partnerPlanId }, 'a partner referral names a plan the rules no longer have: no commission');
      return undefined;
    }
    return { referral: referral as PartnerSource['referral'], planId: plan.id, rule: snapshotOf(plan.commission) };
  }

  async function insert(fields: LineFields): Promise<CommissionLine> {
    try {
      return (await models.CommissionLine.create(fields)).toObject<CommissionLine>();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const earlier = await models.CommissionLine.findOne({ key: fields.key }).lean<CommissionLine>();
      if (!earlier) throw error;
      return earlier;
    }
  }

  /**
   * The visit's line, in its own month while that is open, else (a retry after its month
   * closed) as an adjustment in the month open now. A partner who ended earns nothing on
   * visits after the end.
   */
  async function derive(visit: Visit, source: PartnerSource, closing?: string): Promise<CommissionLine | undefined> {
    if (visit.undoneAt) return undefined;
    const { referral, rule, planId } = source;
    const partner = await models.Partner.findOne({ customerId: referral.referrerId }, { endedAt: 1 }).lean();
    if (partner?.endedAt && visit.at >= partner.endedAt) return undefined;
    const converting = referral.visitId.equals(visit._id);
    const commission = commissionFor(rule, { at: visit.at, amount: visit.amount, converting }, referral.convertedAt, timezone);
    if (commission === undefined) return undefined;
    let month = monthKey(visit.at, timezone);
    const late = !(await isOpen(month, closing));
    if (late) month = monthKey(ctx.now(), timezone);
    return insert({
      key: `visit:${String(visit._id)}`,
      partnerId: referral.referrerId,
      customerId: visit.customerId,
      visitId: visit._id,
      visitAt: visit.at,
      visitAmount: visit.amount ?? 0,
      planId,
      rule,
      commission,
      month,
      status: 'counted',
      adjustment: late,
      createdAt: ctx.now(),
    });
  }

  /** After a visit is credited: its commission line, when a partner brought the customer. */
  async function onVisit(visit: Visit): Promise<CommissionLine | undefined> {
    const source = await sourceOf(visit.customerId);
    return source ? derive(visit, source) : undefined;
  }

  /**
   * Takes a line back: voided while it is not yet counted in a close, else a negative
   * adjustment in the month of the undo (or the month open now, when that one closed too).
   */
  async function takeBack(line: CommissionLine, at: Date, closing?: string): Promise<void> {
    if (line.status === 'void') return;
    if (await ctx.claims.takeOrHold(stateKey(line), 'void')) {
      await models.CommissionLine.updateOne({ _id: line._id }, { $set: { status: 'void', voidedAt: ctx.now() } });
      return;
    }
    let month = monthKey(at, timezone);
    if (!(await isOpen(month, closing))) month = monthKey(ctx.now(), timezone);
    const { _id, ...fields } = line;
    await insert({
      ...fields,
      key: `adjust:${String(line.visitId)}:${month}`,
      commission: -line.commission,
      month,
      status: 'counted',
      adjustment: true,
      createdAt: ctx.now(),
    });
  }

  /** After a visit is undone (visits.markUndone): its line goes (see takeBack). */
  async function onUndo(visit: Pick<Visit, '_id'>): Promise<void> {
    const line = await models.CommissionLine.findOne({ key: `visit:${String(visit._id)}` }).lean<CommissionLine>();
    if (!line) return;
    const undone = await models.Visit.findById(visit._id, { undoneAt: 1 }).lean();
    await takeBack(line, undone?.undoneAt ?? ctx.now());
  }

  /**
   * The close's first step for `month`: every partner customer's visits of the month have
   * their lines (a crash between a visit and onVisit loses nothing), visits undone up to the
   * month have theirs taken back, lines of a referral revoked as fraud are voided, and
   * then each line of the month is frozen. Returns the month's counted lines.
   */
  async function settleMonth(month: string): Promise<CommissionLine[]> {
    const { start, end } = monthBounds(month, timezone);
    const referrals = await models.Referral.find({ partnerPlanId: { $exists: true, $ne: null } }, { friendId: 1, status: 1 }).lean();
    for (const referral of referrals) {
      const [visits, lines] = await Promise.all([
        models.Visit.find({ customerId: referral.friendId }).lean<Visit[]>(),
        models.CommissionLine.find({ customerId: referral.friendId }).lean<CommissionLine[]>(),
      ]);
      const byKey = new Map(lines.map((line) => [line.key, line]));
      const source = referral.status === 'converted' ? await sourceOf(referral.friendId) : undefined;
      for (const visit of visits) {
        const line = byKey.get(`visit:${String(visit._id)}`);
        if (visit.undoneAt && line) {
          // Undos of earlier months were settled by their own close.
          if (visit.undoneAt >= start && visit.undoneAt < end) await takeBack(line, visit.undoneAt, month);
        } else if (!line && source && !visit.undoneAt && visit.at >= start && visit.at < end) await derive(visit, source, month);
      }
      if (referral.status === 'revoked') {
        for (const line of lines.filter((l) => l.month === month && !l.adjustment)) await takeBack(line, start, month);
      }
    }
    const counted: CommissionLine[] = [];
    for (const line of await models.CommissionLine.find({ month, status: 'counted' }).lean<CommissionLine[]>()) {
      if (await ctx.claims.takeOrHold(stateKey(line), 'frozen')) counted.push(line);
      else await models.CommissionLine.updateOne({ _id: line._id }, { $set: { status: 'void', voidedAt: ctx.now() } });
    }
    return counted;
  }

  return { onVisit, onUndo, settleMonth, isOpen };
}

export type CommissionLines = ReturnType<typeof createCommissionLines>;
