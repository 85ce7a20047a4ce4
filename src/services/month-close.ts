import type { Types } from 'mongoose';
import { addMonths, monthBounds, monthKey, monthsBetween } from '../domain/commission.js';
import type { CommissionLine } from '../db/models/commission-line.js';
import type { Models } from '../db/models/index.js';
import type { PartnerStatement } from '../db/models/partner-statement.js';
import type { CommissionLines } from './commission-lines.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import { createProgramReconciliation, type ProgramSummary } from './program-reconciliation.js';

export type MonthCloseDeps = Pick<ServicePieces, 'timezone' | 'now' | 'outbox' | 'logger'> & {
  models: Pick<Models, 'CommissionLine' | 'PartnerStatement' | 'ProgramClose' | 'Partner' | 'Referral' | 'Visit' | 'Voucher' | 'Customer'>;
};

/** A partner's figures for one month, from its lines and referrals (whole VND). */
export interface MonthFigures {
  customersBrought: number;
  firstVisits: number;
  revenue: number;
  commission: number;
  adjustments: number;
  lines: number;
  due: number;
}

/** How far back a close catches up after a long outage, in months. */
const CATCH_UP_MONTHS = 12;

const partnerReferrals = { $exists: true, $ne: null };

/** The partner's figures for `month` from its counted lines (visit lines and adjustments). */
export async function monthFigures(
  models: Pick<Models, 'Referral'>,
  timezone: string,
  partnerId: Types.ObjectId,
  month: string,
  lines: readonly CommissionLine[],
): Promise<MonthFigures> {
  const { start, end } = monthBounds(month, timezone);
  const [customersBrought, firstVisits] = await Promise.all([
    models.Referral.countDocuments({ referrerId: partnerId, partnerPlanId: partnerReferrals, joinedAt: { $gte: start, $lt: end } }),
    models.Referral.countDocuments({
      referrerId: partnerId,
      partnerPlanId: partnerReferrals,
      status: 'converted',
      convertedAt: { $gte: start, $lt: end },
    }),
  ]);
  const sum = (picked: readonly CommissionLine[], field: 'commission' | 'visitAmount') => picked.reduce((total, line) => total + line[field], 0);
  const earned = lines.filter((line) => !line.adjustment);
  const commission = sum(earned, 'commission');
  const adjustments = sum(
    lines.filter((line) => line.adjustment),
    'commission',
  );
  return {
    customersBrought,
    firstVisits,
    revenue: sum(earned, 'visitAmount'),
    commission,
    adjustments,
    lines: lines.length,
    due: commission + adjustments,
  };
}

/**
 * The monthly close (jobs/month-close.ts): on the 1st in the shop's time zone it closes the
 * month before, and at each start it catches up any month left open while the app was down.
 * The close is claimed by inserting the month's ProgramClose (from then on the month takes no
 * new lines, see commission-lines.ts), and every step after is keyed: lines, one statement per
 * partner, one message per person, so two processes or a rerun after a crash close it once and
 * say it once. It is marked `closed` last.
 */
export function createMonthClose(ctx: MonthCloseDeps, lines: CommissionLines) {
  const { models, timezone } = ctx;
  const reconciliation = createProgramReconciliation(models, timezone, ctx.now);

  async function statementFor(partnerId: Types.ObjectId, month: string, counted: CommissionLine[]): Promise<PartnerStatement> {
    const figures = await monthFigures(models, timezone, partnerId, month, counted);
    const key = `${String(partnerId)}:${month}`;
    const planId = (await models.Partner.findOne({ customerId: partnerId }, { planId: 1 }).lean())?.planId;
    try {
      return (await models.PartnerStatement.create({ key, partnerId, month, planId, ...figures, closedAt: ctx.now() })).toObject<PartnerStatement>();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const earlier = await models.PartnerStatement.findOne({ key }).lean<PartnerStatement>();
      if (!earlier) throw error;
      return earlier;
    }
  }

  /** What the shop owes the partner: the due of every closed month not yet paid. */
  async function owedTotal(partnerId?: Types.ObjectId): Promise<number> {
    const unpaid = await models.PartnerStatement.find({ ...(partnerId ? { partnerId } : {}), paid: false }, { due: 1 }).lean();
    return unpaid.reduce((total, s) => total + s.due, 0);
  }

  /** Closes `month` (already over); returns its summary, or undefined when it is not over yet. */
  async function closeMonth(month: string): Promise<ProgramSummary | undefined> {
    const { start, end } = monthBounds(month, timezone);
    if (ctx.now() < end) return undefined;
    try {
      await models.ProgramClose.create({ month, status: 'closing', startedAt: ctx.now() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const earlier = await models.ProgramClose.findOne({ month }).lean();
      if (earlier?.status === 'closed') return earlier.summary as ProgramSummary;
    }
    const counted = await lines.settleMonth(month);
    const byPartner = new Map<string, { partnerId: Types.ObjectId; lines: CommissionLine[] }>();
    const entryOf = (partnerId: Types.ObjectId) => {
      const entry = byPartner.get(String(partnerId)) ?? { partnerId, lines: [] };
      byPartner.set(String(partnerId), entry);
      return entry;
    };
    for (const line of counted) entryOf(line.partnerId).lines.push(line);
    // Every partner active at some point in the month gets a statement, even one with nothing in it.
    const partners = await models.Partner.find({ addedAt: { $lt: end } }, { customerId: 1, status: 1, endedAt: 1 }).lean();
    for (const partner of partners) {
      if (partner.status !== 'ended' || !partner.endedAt || partner.endedAt >= start) entryOf(partner.customerId);
    }
    const statements: PartnerStatement[] = [];
    for (const { partnerId, lines: partnerLines } of byPartner.values()) {
      const statement = await statementFor(partnerId, month, partnerLines);
      statements.push(statement);
      const { customersBrought, firstVisits, revenue, commission, adjustments, due } = statement;
      const data = { month, customersBrought, firstVisits, revenue, commission, adjustments, due, owed: await owedTotal(partnerId) };
      await ctx.outbox.record(`partner_statement:${String(partnerId)}:${month}`, 'partner_statement', partnerId, data);
    }
    const summary = await summarize(month, statements);
    await models.ProgramClose.updateOne({ month }, { $set: { summary } });
    const owners = await models.Customer.find({ role: 'owner' }, { _id: 1 }).lean();
    for (const owner of owners) await ctx.outbox.record(`program_close:${String(owner._id)}:${month}`, 'program_close', owner._id, { summary });
    await models.ProgramClose.updateOne({ month }, { $set: { status: 'closed', closedAt: ctx.now() } });
    return summary;
  }

  async function summarize(month: string, statements: PartnerStatement[]): Promise<ProgramSummary> {
    const total = (field: 'commission' | 'adjustments' | 'due' | 'revenue') => statements.reduce((sum, s) => sum + s[field], 0);
    const [rewards, referred, owed] = await Promise.all([reconciliation.rewardsOf(month), reconciliation.referredOf(month), owedTotal()]);
    const partners = {
      count: statements.length,
      commission: total('commission'),
      adjustments: total('adjustments'),
      due: total('due'),
      owedTotal: owed,
      revenue: total('revenue'),
    };
    return {
      month,
      partners,
      rewards,
      referredVisits: referred.visits,
      referredRevenue: referred.revenue,
      cost: rewards.redeemed.value + partners.due,
    };
  }

  /**
   * Closes every month that is over and not closed: from the month after the last closed one
   * (at most CATCH_UP_MONTHS back); before any close, only the month before, and only once a
   * partner or a visit exists by then, so an installation does not report months before it ran.
   */
  async function closeDue(): Promise<string[]> {
    const last = addMonths(monthKey(ctx.now(), timezone), -1);
    const latest = await models.ProgramClose.findOne({ status: 'closed' }, { month: 1 }).sort({ month: -1 }).lean();
    let from = latest ? addMonths(latest.month, 1) : undefined;
    if (!from) {
      const [partner, visit] = await Promise.all([
        models.Partner.findOne({}, { addedAt: 1 }).sort({ addedAt: 1 }).lean(),
        models.Visit.findOne({}, { at: 1 }).sort({ at: 1 }).lean(),
      ]);
      const firsts = [partner?.addedAt, visit?.at].filter((at): at is Date => !!at).map((at) => monthKey(at, timezone));
      if (firsts.length === 0) return [];
      // The first close reports the month before at most: an installation updated mid-way does not get a year of summaries at once.
      const first = firsts.sort()[0] ?? last;
      from = first > last ? first : last;
    }
    const oldest = addMonths(last, 1 - CATCH_UP_MONTHS);
    const closed: string[] = [];
    for (const month of monthsBetween(from < oldest ? oldest : from, last)) {
      if (await closeMonth(month)) closed.push(month);
    }
    return closed;
  }

  return { closeMonth, closeDue, owedTotal };
}

export type MonthClose = ReturnType<typeof createMonthClose>;
