import type { Types } from 'mongoose';
import { cellText, type Cell } from '../domain/csv-export.js';
import { normalizeCode } from '../domain/codes.js';
import { addMonths, isMonthKey, monthKey } from '../domain/commission.js';
import type { CommissionLine } from '../db/models/commission-line.js';
import type { Actor } from './access.js';
import type { CommissionsDeps, PartnerMonth } from './commissions.js';
import type { ExportFile } from './exports.js';
import type { ProgramSummary } from './program-reconciliation.js';

export interface PartnerRow {
  code: string;
  name: string;
  planId: string;
  status: 'active' | 'ended';
  thisMonth: PartnerMonth;
  lastMonth: PartnerMonth;
}

export interface StatementLine {
  customerCode: string;
  customerName: string;
  visitAt: Date;
  visitAmount: number;
  rule: CommissionLine['rule'];
  commission: number;
  adjustment: boolean;
}

type Refused = { ok: false; reason: 'not_allowed' | 'bad_month' | 'not_a_partner' };

/** Machine headers of the CSVs, stable across languages (like the exports'). */
export const STATEMENT_COLUMNS = ['visit_at', 'customer_code', 'customer_name', 'visit_amount', 'rule', 'commission', 'adjustment'] as const;
export const SUMMARY_COLUMNS = ['figure', 'value'] as const;

/** How a line's rule reads in a CSV cell: `revenue_share 10% 90d`, `first_visit 50000`. */
export const ruleText = (rule: CommissionLine['rule']) =>
  rule.kind === 'revenue_share' ? `revenue_share ${rule.percent ?? 0}% ${rule.days ?? 0}d` : `first_visit ${rule.amount ?? 0}`;

/** The owner's back office views of the partner program: the partners, a month's statement, the close's summary, and their CSVs. */
export function createCommissionReports(ctx: CommissionsDeps, partnerMonth: (partnerId: Types.ObjectId, month: string) => Promise<PartnerMonth>) {
  const { models, timezone } = ctx;
  const ownerOnly = async (actor: Actor, action: string) => (await ctx.access.authorize(actor, action, ['owner'])).ok;

  async function partners(actor: Actor): Promise<{ ok: true; month: string; rows: PartnerRow[]; owed: number } | Refused> {
    if (!(await ownerOnly(actor, 'partner_statements'))) return { ok: false, reason: 'not_allowed' };
    const month = monthKey(ctx.now(), timezone);
    const rows: PartnerRow[] = [];
    for (const partner of await models.Partner.find({}).sort({ addedAt: 1 }).lean()) {
      const person = await models.Customer.findById(partner.customerId, { code: 1, name: 1 }).lean();
      if (!person) continue;
      const [thisMonth, lastMonth] = await Promise.all([
        partnerMonth(partner.customerId, month),
        partnerMonth(partner.customerId, addMonths(month, -1)),
      ]);
      rows.push({ code: person.code, name: person.name ?? '', planId: partner.planId, status: partner.status, thisMonth, lastMonth });
    }
    return { ok: true, month, rows, owed: rows.reduce((sum, row) => sum + row.thisMonth.owed, 0) };
  }

  async function findPartner(code: string) {
    const normalized = normalizeCode(code);
    const person = normalized ? await models.Customer.findOne({ code: normalized }, { code: 1, name: 1 }).lean() : null;
    const partner = person ? await models.Partner.findOne({ customerId: person._id }).lean() : null;
    return person && partner ? { person, partner } : undefined;
  }

  /** A customer's code and name, each looked up once per read. */
  function peopleBook() {
    const known = new Map<string, { code: string; name: string }>();
    return async (id: Types.ObjectId) => {
      let person = known.get(String(id));
      if (!person) {
        const record = await models.Customer.findById(id, { code: 1, name: 1 }).lean();
        person = { code: record?.code ?? '', name: record?.name ?? '' };
        known.set(String(id), person);
      }
      return person;
    };
  }

  type Opened = { ok: true; partner: { _id: Types.ObjectId; code: string; name: string }; statement: PartnerMonth } | Refused;

  async function openStatement(actor: Actor, code: string, month: string): Promise<Opened> {
    if (!(await ownerOnly(actor, 'partner_statements'))) return { ok: false, reason: 'not_allowed' };
    if (!isMonthKey(month)) return { ok: false, reason: 'bad_month' };
    const found = await findPartner(code);
    if (!found) return { ok: false, reason: 'not_a_partner' };
    const { person } = found;
    return { ok: true, partner: { _id: person._id, code: person.code, name: person.name ?? '' }, statement: await partnerMonth(person._id, month) };
  }

  /** The month's counted lines, oldest visit first, each with its customer. */
  async function* linesOf(partnerId: Types.ObjectId, month: string): AsyncGenerator<StatementLine> {
    const person = peopleBook();
    const cursor = models.CommissionLine.find({ partnerId, month, status: 'counted' }).sort({ visitAt: 1 }).lean<CommissionLine[]>().cursor();
    for await (const line of cursor) {
      const customer = await person(line.customerId);
      const { visitAt, visitAmount, rule, commission, adjustment } = line;
      yield { customerCode: customer.code, customerName: customer.name, visitAt, visitAmount, rule, commission, adjustment };
    }
  }

  /** Every counted line of a partner's month with its customer, and the month's totals. */
  async function statementLines(
    actor: Actor,
    code: string,
    month: string,
  ): Promise<{ ok: true; partner: { code: string; name: string }; statement: PartnerMonth; lines: StatementLine[] } | Refused> {
    const opened = await openStatement(actor, code, month);
    if (!opened.ok) return opened;
    const lines: StatementLine[] = [];
    for await (const line of linesOf(opened.partner._id, month)) lines.push(line);
    return { ok: true, partner: { code: opened.partner.code, name: opened.partner.name }, statement: opened.statement, lines };
  }

  /** The month's close as the owner got it, or `open` while it is not closed. */
  async function closeSummary(actor: Actor, month: string): Promise<{ ok: true; summary?: ProgramSummary } | Refused> {
    if (!(await ownerOnly(actor, 'program_close'))) return { ok: false, reason: 'not_allowed' };
    if (!isMonthKey(month)) return { ok: false, reason: 'bad_month' };
    const close = await models.ProgramClose.findOne({ month, status: 'closed' }).lean();
    return { ok: true, summary: (close?.summary as ProgramSummary | undefined) ?? undefined };
  }

  const cells = (values: Cell[]) => values.map((value) => cellText(value, timezone));

  /** A partner's month as CSV: one row per line, read as the caller pulls them, then the total. */
  async function statementFile(actor: Actor, code: string, month: string): Promise<{ ok: true; file: ExportFile } | Refused> {
    const opened = await openStatement(actor, code, month);
    if (!opened.ok) return opened;
    const { partner, statement: s } = opened;
    await ctx.audit.action(actor, 'export', 'exported', partner._id, { kind: 'partner_statement', month });
    async function* rows() {
      for await (const l of linesOf(partner._id, month)) {
        yield cells([l.visitAt, l.customerCode, l.customerName, l.visitAmount, ruleText(l.rule), l.commission, l.adjustment]);
      }
      yield cells(['total', '', '', s.revenue, '', s.commission + s.adjustments, s.adjustments !== 0]);
    }
    return { ok: true, file: { fileName: `partner-${partner.code}-${month}.csv`, columns: STATEMENT_COLUMNS, rows: rows() } };
  }

  async function summaryFile(actor: Actor, month: string): Promise<{ ok: true; file: ExportFile } | Refused | { ok: false; reason: 'month_open' }> {
    const shown = await closeSummary(actor, month);
    if (!shown.ok) return shown;
    const summary = shown.summary;
    if (!summary) return { ok: false, reason: 'month_open' };
    const { partners: p, rewards, referredVisits, referredRevenue, cost } = summary;
    await ctx.audit.action(actor, 'export', 'exported', undefined, { kind: 'program_close', month });
    const statements = await models.PartnerStatement.find({ month }).lean();
    async function* rows() {
      const figures: Array<[string, Cell]> = [
        ['month', month],
        ['partners', p.count],
        ['partner_revenue', p.revenue],
        ['partner_commission', p.commission],
        ['partner_adjustments', p.adjustments],
        ['partner_due', p.due],
        ['partners_owed_total', p.owedTotal],
      ];
      for (const [name, r] of Object.entries(rewards)) {
        figures.push([`rewards_${name}`, r.count], [`rewards_${name}_value`, r.value], [`rewards_${name}_unpriced`, r.unpriced]);
        figures.push([`rewards_${name}_free_services`, r.freeServices], [`rewards_${name}_bonus_points`, r.bonusPoints]);
      }
      figures.push(['referred_visits', referredVisits], ['referred_revenue', referredRevenue], ['program_cost', cost]);
      for (const s of statements) {
        const person = await models.Customer.findById(s.partnerId, { code: 1 }).lean();
        figures.push([`due:${person?.code ?? String(s.partnerId)}`, s.due]);
      }
      for (const figure of figures) yield cells(figure);
    }
    return { ok: true, file: { fileName: `program-close-${month}.csv`, columns: SUMMARY_COLUMNS, rows: rows() } };
  }

  return { partners, statementLines, closeSummary, statementFile, summaryFile };
}
