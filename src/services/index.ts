import { createActionService } from './actions.js';
import { createAnnouncementService } from './announcements.js';
import { createAdjustmentService } from './adjustments.js';
import { createConsentService } from './consent.js';
import { createCommissionService } from './commissions.js';
import { createCorrectionService } from './corrections.js';
import { createBirthdayService } from './birthdays.js';
import { createServicePieces, type ServiceDeps } from './context.js';
import { createCustomerImportService } from './customer-import.js';
import { createCustomerService } from './customers.js';
import { createDirectoryService } from './directory.js';
import { createListingService } from './listings.js';
import { createDashboardService } from './dashboard.js';
import { createOverviewService } from './overview.js';
import { createErasureService } from './erasure.js';
import { createExportService } from './exports.js';
import { createFraudService } from './fraud.js';
import { createImportUploads } from './import-uploads.js';
import { createIdentityLinkService } from './identity-link.js';
import { createMemberCardService } from './member-cards.js';
import { createMembershipService } from './memberships.js';
import { createPartnerService } from './partners.js';
import { createPersonalDataService } from './personal-data.js';
import { createLimits } from './limits.js';
import { createPointsLedger } from './points.js';
import { createProgramRules } from './program-rules.js';
import { createQrImages } from './qr-images.js';
import { createReferralService } from './referrals.js';
import { createReportFigures, createReportsService } from './reports.js';
import { createRetention } from './retention.js';
import { createReviewService } from './reviews.js';
import { createRoleService } from './roles.js';
import { createRollups } from './rollups.js';
import { createScheduledMessages } from './scheduled-messages.js';
import { createStatusService } from './status.js';
import { createUpdateLedger } from './updates.js';
import { createVisitService } from './visits.js';
import { createVoucherService } from './vouchers.js';
import { createWalletService } from './wallet.js';

export type { Actor, ServiceDeps } from './context.js';

/**
 * Every use case of the program. Channels, HTTP and jobs call these, never models. Each
 * service gets the shared pieces and the models it needs; each collection has one writer
 * (see the README's architecture section).
 */
export function createServices(deps: ServiceDeps) {
  const { models } = deps;
  const pieces = createServicePieces(deps);
  const customers = createCustomerService({ ...pieces, models });
  const points = createPointsLedger({ ...pieces, models });
  const vouchers = createVoucherService({ ...pieces, models }, points);
  const partners = createPartnerService({ ...pieces, models });
  const referrals = createReferralService({ ...pieces, models }, partners);
  const consent = createConsentService({ ...pieces, models });
  // The figures without a role check go only to the daily-summary job and the owner's reports.
  const rollups = createRollups({ ...pieces, models });
  const figures = createReportFigures({ ...deps, rollups });
  const reports = createReportsService(pieces, figures);
  const roles = createRoleService({ ...pieces, models }, customers);
  const fraud = createFraudService({ ...pieces, models }, points, vouchers, referrals);
  // Before visits: a credited or undone visit derives or takes back its partner's commission.
  const commissions = createCommissionService({ ...pieces, models });
  const visits = createVisitService({ ...pieces, models }, customers, referrals, points, vouchers, fraud, commissions);
  const customerImport = createCustomerImportService({ ...pieces, models }, customers, points, referrals, consent);
  const actions = createActionService({ ...pieces, models });
  const memberCards = createMemberCardService({ ...pieces, models }, customers, vouchers);
  const identityLink = createIdentityLinkService({ ...pieces, models }, customers);
  const limits = createLimits({ ...pieces, models });
  const qrImages = createQrImages({ models, publicUrl: deps.publicUrl });
  const owners = { customers, referrals, points, customerImport, actions, memberCards, identityLink, limits, qrImages };
  return {
    customers,
    consent,
    announcements: createAnnouncementService({ ...pieces, models }),
    referrals,
    partners,
    visits,
    commissions,
    corrections: createCorrectionService({ ...pieces, models }, customers, visits, referrals, points, vouchers),
    adjustments: createAdjustmentService({ ...pieces, models }, customers, points, vouchers),
    vouchers,
    points,
    wallet: createWalletService({ ...pieces, models }, points, vouchers),
    status: createStatusService({ ...pieces, models }, vouchers),
    roles,
    fraud,
    identityLink,
    customerImport,
    exports: createExportService({ ...pieces, models }),
    importUploads: createImportUploads(pieces, customerImport),
    actions,
    memberCards,
    reports,
    birthdays: createBirthdayService({ ...pieces, models }, vouchers),
    memberships: createMembershipService({ ...pieces, models }, customers),
    personalData: createPersonalDataService({ ...pieces, models, publicUrl: deps.publicUrl, databaseHost: deps.databaseHost }),
    scheduled: createScheduledMessages({ ...pieces, models }, figures),
    directory: createDirectoryService({ ...pieces, models }),
    listings: createListingService({ ...pieces, models }),
    dashboard: createDashboardService({ ...pieces, models }),
    overview: createOverviewService({ ...pieces, models }, figures, roles, fraud),
    updates: createUpdateLedger({ ...pieces, models }),
    limits,
    qrImages,
    erasure: createErasureService({ ...pieces, models }, owners),
    retention: createRetention(pieces, referrals, rollups),
    programRules: createProgramRules({ ...pieces, models }),
    reviews: createReviewService({ ...pieces, models }, vouchers),
    // Only building the day rollups is for the jobs; reading them goes through the reports.
    rollups: { catchUp: rollups.catchUp },
    // Only the clean-up of tickets is for outside callers; issuing and reading stay in the services.
    tickets: { pruneExpired: pieces.tickets.pruneExpired },
  };
}

export type Services = ReturnType<typeof createServices>;
