import { Types } from 'mongoose';
import { nextMilestone, nextTier, tierForPoints } from '../domain/loyalty.js';
import { runningUntil } from '../domain/membership.js';
import type { Customer } from '../db/models/customer.js';
import type { Voucher } from '../db/models/voucher.js';
import { balanceOf, catalogueFor, nextCatalogueItem } from '../domain/wallet.js';
import type { CatalogueItem, Milestone, Tier } from '../program/schema.js';
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
  /** What can be spent (lifetime points are `customer.points`). */
  balance: number;
  catalogue: Array<{ item: CatalogueItem; affordable: boolean }>;
  nextItem: { item: CatalogueItem; pointsToGo: number } | undefined;
  /** The end of the paid membership, while it runs. */
  memberUntil: Date | undefined;
}

export function createStatusService(
  ctx: Pick<ServicePieces, 'program' | 'now'> & { models: Pick<Models, 'Customer' | 'Referral'> },
  vouchers: VoucherService,
) {
  const { models, program } = ctx;

  /**
   * Everything a customer sees on /me and /rewards. A customer record loaded for this update
   * (the join's) is used as it is; an id is looked up.
   */
  async function getCustomerStatus(who: Types.ObjectId | Customer): Promise<CustomerStatus | undefined> {
    const customer = who instanceof Types.ObjectId ? await models.Customer.findById(who).lean<Customer>() : who;
    if (!customer) return undefined;
    const [referrals, activeVouchers] = await Promise.all([
      // Counted here rather than with two counts: one referrer's referrals are few, and one
      // query answers both (FerretDB 1.x counts `$group` with `{ $sum: 1 }` as 0).
      models.Referral.find({ referrerId: customer._id }, { status: 1, _id: 0 }).lean(),
      vouchers.listActive(customer._id),
    ]);
    const referralsJoined = referrals.length;
    const referralsConfirmed = referrals.filter((referral) => referral.status === 'converted').length;
    const balance = balanceOf(customer);
    return {
      customer,
      tier: tierForPoints(customer.points, program.tiers).tier,
      next: nextTier(customer.points, program.tiers),
      referralsJoined,
      referralsConfirmed,
      activeVouchers,
      nextMilestone: nextMilestone(referralsConfirmed, program.milestones),
      balance,
      catalogue: catalogueFor(program.catalogue, balance),
      nextItem: nextCatalogueItem(program.catalogue, balance),
      memberUntil: runningUntil(customer.memberUntil, ctx.now()),
    };
  }

  return { getCustomerStatus };
}

export type StatusService = ReturnType<typeof createStatusService>;
