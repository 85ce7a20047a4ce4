import type { Connection } from 'mongoose';
import { createActionCardModel } from './action-card.js';
import { createAnnouncementModel } from './announcement.js';
import { createAuditLogModel } from './audit-log.js';
import { createChannelIdentityModel } from './channel-identity.js';
import { createClaimModel } from './claim.js';
import { createCommissionLineModel } from './commission-line.js';
import { createConsentModel } from './consent.js';
import { createCustomerModel } from './customer.js';
import { createDayRollupModel } from './day-rollup.js';
import { createFraudFlagModel } from './fraud-flag.js';
import { createLinkOpenModel } from './link-open.js';
import { createLinkRequestModel } from './link-request.js';
import { createMembershipModel } from './membership.js';
import { createMemberTokenModel } from './member-token.js';
import { createNotificationModel } from './notification.js';
import { createPartnerModel } from './partner.js';
import { createPartnerStatementModel } from './partner-statement.js';
import { createPendingChoiceModel } from './pending-choice.js';
import { createPhoneHistoryModel } from './phone-history.js';
import { createPhoneNumberModel } from './phone-number.js';
import { createPointsEntryModel } from './points-entry.js';
import { createProcessedUpdateModel } from './processed-update.js';
import { createProgramCloseModel } from './program-close.js';
import { createProgramVersionModel } from './program-version.js';
import { createQrImageModel } from './qr-image.js';
import { createRateSlotModel } from './rate-slot.js';
import { createReferralModel } from './referral.js';
import { createReviewModel } from './review.js';
import { createSendingProcessModel } from './sending-process.js';
import { createSettingModel } from './setting.js';
import { createStaleDayModel } from './stale-day.js';
import { createVisitModel } from './visit.js';
import { createVoucherModel } from './voucher.js';

/** Every model, bound to one connection. Services receive this object, never the connection. */
export function createModels(connection: Connection) {
  return {
    ActionCard: createActionCardModel(connection),
    Announcement: createAnnouncementModel(connection),
    AuditLog: createAuditLogModel(connection),
    ChannelIdentity: createChannelIdentityModel(connection),
    Claim: createClaimModel(connection),
    CommissionLine: createCommissionLineModel(connection),
    Consent: createConsentModel(connection),
    Customer: createCustomerModel(connection),
    DayRollup: createDayRollupModel(connection),
    FraudFlag: createFraudFlagModel(connection),
    LinkOpen: createLinkOpenModel(connection),
    LinkRequest: createLinkRequestModel(connection),
    Membership: createMembershipModel(connection),
    MemberToken: createMemberTokenModel(connection),
    Notification: createNotificationModel(connection),
    Partner: createPartnerModel(connection),
    PartnerStatement: createPartnerStatementModel(connection),
    PendingChoice: createPendingChoiceModel(connection),
    PhoneHistory: createPhoneHistoryModel(connection),
    PhoneNumber: createPhoneNumberModel(connection),
    PointsEntry: createPointsEntryModel(connection),
    ProcessedUpdate: createProcessedUpdateModel(connection),
    ProgramClose: createProgramCloseModel(connection),
    ProgramVersion: createProgramVersionModel(connection),
    QrImage: createQrImageModel(connection),
    RateSlot: createRateSlotModel(connection),
    Referral: createReferralModel(connection),
    Review: createReviewModel(connection),
    SendingProcess: createSendingProcessModel(connection),
    Setting: createSettingModel(connection),
    StaleDay: createStaleDayModel(connection),
    Visit: createVisitModel(connection),
    Voucher: createVoucherModel(connection),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Builds every declared index (unique ones enforce invariants) before the app takes work. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch((error: unknown) => {
      // Another process may create it first; that is fine.
      if ((error as { code?: number }).code !== 48) throw error;
    });
    await model.createIndexes();
  }
}
