import type { Types } from 'mongoose';
import { nextMilestone, nextTier, tierForPoints } from '../domain/loyalty.js';
import type { Customer } from '../db/models/customer.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Milestone, Tier } from '../program/schema.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import type { VoucherService } from './vouchers.js';

export interface CustomerStatus {
  customer: Customer;
  tier: Tier | undefined;
  next: { tier: Tier; pointsToGo: number } | undefined;
  referralsJoined: number;
  referralsConfirmed: number;
  activeVouchers: Voucher[];
  nextMilestone: { milestone: Milestone; friendsToGo: number } | undefined;
}

export function createStatusService(
  ctx: Pick<ServicePieces, 'program'> & { models: Pick<Models, 'Customer' | 'Referral'> },
  vouchers: VoucherService,
) {
  const { models, program } = ctx;

  /** Everything a customer sees on /me and /rewards. */
  async function getCustomerStatus(customerId: Types.ObjectId): Promise<CustomerStatus | undefined> {
    const customer = await models.Customer.findById(customerId).lean<Customer>();
    if (!customer) return undefined;
    const [referralsJoined, referralsConfirmed, activeVouchers] = await Promise.all([
      models.Referral.countDocuments({ referrerId: customerId }),
      models.Referral.countDocuments({ referrerId: customerId, status: 'converted' }),
      vouchers.listActive(customerId),
    ]);
    return {
      customer,
      tier: tierForPoints(customer.points, program.tiers).tier,
      next: nextTier(customer.points, program.tiers),
      referralsJoined,
      referralsConfirmed,
      activeVouchers,
      nextMilestone: nextMilestone(referralsConfirmed, program.milestones),
    };
  }

  return { getCustomerStatus };
}

export type StatusService = ReturnType<typeof createStatusService>;
