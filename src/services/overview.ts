import type { Customer } from '../db/models/customer.js';
import { collectionCount } from '../db/collection-count.js';
import type { Models } from '../db/models/index.js';
import type { Tier } from '../program/schema.js';
import { periodRange, type PeriodChoice, type PeriodRange, type PeriodRangeResult } from '../domain/periods.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { FraudService, ReviewedFlag } from './fraud.js';
import type { PeriodReport, ReportFigures } from './reports.js';
import type { RoleService } from './roles.js';

/** Everything the back office's overview shows for one period. */
export interface OverviewView extends PeriodReport {
  range: PeriodRange;
  customers: number;
  tiers: Array<{ tier: Tier; customers: number }>;
  staff: Customer[];
  flags: ReviewedFlag[];
}

export type OverviewResult =
  | { ok: true; view: OverviewView }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: Extract<PeriodRangeResult, { ok: false }>['reason'] };

const FLAGS_SHOWN = 50;

export type OverviewServiceDeps = Pick<ServicePieces, 'program' | 'access' | 'now' | 'timezone'> & {
  models: Pick<Models, 'Customer'>;
};

/** The owner's overview: the period's figures against the period before, day by day, with tiers, staff and the fraud queue. */
export function createOverviewService(ctx: OverviewServiceDeps, figures: ReportFigures, roles: RoleService, fraud: FraudService) {
  const { models, program, access } = ctx;

  async function getOverview(actor: Actor, choice: PeriodChoice): Promise<OverviewResult> {
    const allowed = await access.authorize(actor, 'dashboard_view', ['owner']);
    if (!allowed.ok) return allowed;
    const picked = periodRange(choice, ctx.now(), ctx.timezone);
    if (!picked.ok) return picked;
    const { range } = picked;
    const owner = allowed.actor;
    const [report, customers, tierCounts, staff, open] = await Promise.all([
      figures.getReport(range, range.previous),
      collectionCount(models.Customer),
      Promise.all(program.tiers.map((tier) => models.Customer.countDocuments({ tier: tier.id }))),
      roles.listStaff(owner),
      fraud.listOpen(owner, FLAGS_SHOWN),
    ]);
    // The owner was checked above and the grant spares these their own check: they cannot refuse.
    if (!staff.ok || !open.ok) return { ok: false, reason: 'not_allowed' };
    return {
      ok: true,
      view: {
        ...report,
        range,
        customers,
        tiers: program.tiers.map((tier, i) => ({ tier, customers: tierCounts[i] ?? 0 })),
        staff: staff.people,
        flags: open.flags,
      },
    };
  }

  return { getOverview };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
