import type { Types } from 'mongoose';
import { normalizeCode } from '../domain/codes.js';
import { isMonthKey } from '../domain/commission.js';
import type { CommissionLine } from '../db/models/commission-line.js';
import type { Models } from '../db/models/index.js';
import type { PartnerStatement } from '../db/models/partner-statement.js';
import type { Actor } from './access.js';
import { createCommissionLines } from './commission-lines.js';
import { createCommissionReports } from './commission-reports.js';
import type { ServicePieces } from './context.js';
import { createMonthClose, monthFigures } from './month-close.js';

export type CommissionsDeps = Pick<ServicePieces, 'program' | 'timezone' | 'now' | 'claims' | 'logger' | 'outbox' | 'access' | 'audit'> & {
  models: Pick<Models, 'CommissionLine' | 'PartnerStatement' | 'ProgramClose' | 'Partner' | 'Referral' | 'Visit' | 'Voucher' | 'Customer' | 'Claim'>;
};

/**
 * A partner's month as chat and the back office show it (whole VND). `commission` is what the
 * month's visits earned, `adjustments` what undos of closed months took back in it; `paid` is
 * what was paid for the month; `owed` is the partner's total still owed: the due of closed
 * months not yet paid plus what the months not yet closed have earned so far.
 */
export interface PartnerMonth {
  month: string;
  customersBrought: number;
  firstVisits: number;
  revenue: number;
  commission: number;
  adjustments: number;
  paid: number;
  owed: number;
  closed: boolean;
  paidAt?: Date;
}

export type StatementResult = { ok: true; statement: PartnerMonth } | { ok: false; reason: 'not_owner' | 'not_a_partner' | 'bad_month' };

export type MarkPaidResult =
  | { ok: true; amount: number; partnerId: Types.ObjectId }
  | { ok: false; reason: 'not_owner' | 'not_a_partner' | 'month_open' | 'already_paid' | 'no_statement' | 'bad_month' };

/** A payment claim older than this with its statement still unpaid was left by a crash: the next press finishes it. */
const STALE_PAYMENT_MS = 60_000;

/**
 * Partner commission: lines from visits (commission-lines.ts), the monthly close
 * (month-close.ts), each partner's statement, and the owner's payments. Writes
 * commission_lines, partner_statements and program_closes, and nothing else.
 */
export function createCommissionService(ctx: CommissionsDeps) {
  const { models, timezone } = ctx;
  const lines = createCommissionLines(ctx);
  const close = createMonthClose(ctx, lines);

  /** What the months not yet closed have earned the partner so far. */
  async function openDue(partnerId: Types.ObjectId): Promise<number> {
    const closed = (await models.ProgramClose.find({ status: 'closed' }, { month: 1 }).lean()).map((c) => c.month);
    const open = await models.CommissionLine.find({ partnerId, status: 'counted', month: { $nin: closed } }, { commission: 1 }).lean();
    return open.reduce((sum, line) => sum + line.commission, 0);
  }

  async function partnerMonth(partnerId: Types.ObjectId, month: string): Promise<PartnerMonth> {
    const owed = (await close.owedTotal(partnerId)) + (await openDue(partnerId));
    const frozen = await models.PartnerStatement.findOne({ key: `${String(partnerId)}:${month}` }).lean<PartnerStatement>();
    if (frozen) {
      const { customersBrought, firstVisits, revenue, commission, adjustments } = frozen;
      const paid = frozen.paid ? frozen.due : 0;
      return { month, customersBrought, firstVisits, revenue, commission, adjustments, paid, owed, closed: true, paidAt: frozen.paidAt ?? undefined };
    }
    const counted = await models.CommissionLine.find({ partnerId, month, status: 'counted' }).lean<CommissionLine[]>();
    const { customersBrought, firstVisits, revenue, commission, adjustments } = await monthFigures(models, timezone, partnerId, month, counted);
    return { month, customersBrought, firstVisits, revenue, commission, adjustments, paid: 0, owed, closed: false };
  }

  /** A partner's month: the partner asks for their own (`'self'`), the owner for anyone's. */
  async function statement(actor: Actor, who: Types.ObjectId | 'self', month: string): Promise<StatementResult> {
    if (!isMonthKey(month)) return { ok: false, reason: 'bad_month' };
    const partnerId = who === 'self' ? actor.customerId : who;
    if (!partnerId.equals(actor.customerId)) {
      const allowed = await ctx.access.authorize(actor, 'partner_statement', ['owner']);
      if (!allowed.ok) return { ok: false, reason: 'not_owner' };
    }
    if (!(await models.Partner.exists({ customerId: partnerId }))) return { ok: false, reason: 'not_a_partner' };
    return { ok: true, statement: await partnerMonth(partnerId, month) };
  }

  /**
   * The owner marks a partner's closed month paid: at most once (a claim on the statement; two
   * presses, or two owners, pay once), audited, and the partner is told.
   */
  async function markPaid(actor: Actor, partnerCode: string, month: string): Promise<MarkPaidResult> {
    const allowed = await ctx.access.authorize(actor, 'mark_partner_paid', ['owner']);
    if (!allowed.ok) return { ok: false, reason: 'not_owner' };
    const refuse = async (reason: Exclude<Extract<MarkPaidResult, { ok: false }>['reason'], 'not_owner'>, targetId?: Types.ObjectId) => {
      await ctx.audit.action(actor, 'mark_partner_paid', reason, targetId, { month });
      return { ok: false, reason } as const;
    };
    if (!isMonthKey(month)) return refuse('bad_month');
    const code = normalizeCode(partnerCode);
    const customer = code ? await models.Customer.findOne({ code }, { _id: 1 }).lean() : null;
    if (!customer || !(await models.Partner.exists({ customerId: customer._id }))) return refuse('not_a_partner');
    const partnerId = customer._id;
    if ((await models.ProgramClose.findOne({ month }, { status: 1 }).lean())?.status !== 'closed') return refuse('month_open', partnerId);
    const key = `${String(partnerId)}:${month}`;
    const found = await models.PartnerStatement.findOne({ key }).lean<PartnerStatement>();
    if (!found) return refuse('no_statement', partnerId);
    if (found.paid) return refuse('already_paid', partnerId);
    const claim = `partner_paid:${key}`;
    if (!(await ctx.claims.take(claim, String(actor.customerId)))) {
      const holder = await ctx.claims.holder(claim);
      const crashed = holder && ctx.now().getTime() - holder.at.getTime() > STALE_PAYMENT_MS;
      const again = await models.PartnerStatement.findOne({ key }, { paid: 1 }).lean();
      if (!crashed || again?.paid) return refuse('already_paid', partnerId);
    }
    const paidAt = ctx.now();
    await models.PartnerStatement.updateOne({ key }, { $set: { paid: true, paidAt, paidBy: actor.customerId } });
    await ctx.audit.action(actor, 'mark_partner_paid', 'paid', partnerId, { month, amount: found.due });
    await ctx.outbox.record(`partner_paid:${key}`, 'partner_paid', partnerId, { month, amount: found.due });
    return { ok: true, amount: found.due, partnerId };
  }

  const reports = createCommissionReports(ctx, partnerMonth);

  return {
    onVisit: lines.onVisit,
    onUndo: lines.onUndo,
    statement,
    markPaid,
    closeMonth: close.closeMonth,
    closeDue: close.closeDue,
    ...reports,
  };
}

export type CommissionService = ReturnType<typeof createCommissionService>;
