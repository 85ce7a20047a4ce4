import { createActionService } from './actions.js';
import { createServiceContext, type ServiceDeps } from './context.js';
import { createCustomerService } from './customers.js';
import { createDashboardService } from './dashboard.js';
import { createFraudService } from './fraud.js';
import { createIdentityLinkService } from './identity-link.js';
import { createMemberCardService } from './member-cards.js';
import { createLimits } from './limits.js';
import { createPointsLedger } from './points.js';
import { createReferralService } from './referrals.js';
import { createReportFigures, createReportsService } from './reports.js';
import { createRoleService } from './roles.js';
import { createScheduledMessages } from './scheduled-messages.js';
import { createStatusService } from './status.js';
import { createUpdateLedger } from './updates.js';
import { createVisitService } from './visits.js';
import { createVoucherService } from './vouchers.js';

export type { Actor, ServiceDeps } from './context.js';

/** Every use case of the program, over one set of models. Channels and jobs call these. */
export function createServices(deps: ServiceDeps) {
  const ctx = createServiceContext(deps);
  const customers = createCustomerService(ctx);
  const points = createPointsLedger(ctx);
  const vouchers = createVoucherService(ctx, points);
  // The figures without a role check go only to the daily-summary job and the owner's reports.
  const figures = createReportFigures(deps);
  const reports = createReportsService(ctx, figures);
  const roles = createRoleService(ctx, customers);
  const fraud = createFraudService(ctx, points, vouchers);
  return {
    customers,
    referrals: createReferralService(ctx),
    visits: createVisitService(ctx, customers, points, vouchers, fraud),
    vouchers,
    points,
    status: createStatusService(ctx, vouchers),
    roles,
    fraud,
    identityLink: createIdentityLinkService(ctx, customers),
    actions: createActionService(ctx),
    memberCards: createMemberCardService(ctx, customers, vouchers),
    reports,
    scheduled: createScheduledMessages(ctx, figures),
    dashboard: createDashboardService(ctx, roles, reports, fraud),
    updates: createUpdateLedger(ctx),
    limits: createLimits(ctx),
  };
}

export type Services = ReturnType<typeof createServices>;
