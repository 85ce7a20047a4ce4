import { referralChannels, type ReferralChannel } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { eventNotificationTypes } from '../db/models/notification.js';

/**
 * The countable figures of a time range, in a form that adds up: the figures of two
 * adjoining ranges summed are the figures of the whole (rates and rankings are derived
 * afterwards, see reports.ts). A business day's are stored as its rollup.
 */
export interface RangeFigures {
  newCustomers: number;
  linksOpened: number;
  friendsJoined: number;
  firstVisits: number;
  /** Referrals converted in the range and still counting (a fraud reversal takes one back). */
  conversions: number;
  rewardsIssued: number;
  rewardsRedeemed: number;
  /** VND spent by referred customers in the range. */
  referredRevenue: number;
  tierUpgrades: number;
  undeliverable: number;
  byChannel: Record<ReferralChannel, number>;
  /** Converted friends per referrer (customer id as hex). */
  referrers: Record<string, number>;
}

export type FigureModels = Pick<Models, 'Customer' | 'LinkOpen' | 'Referral' | 'Visit' | 'Voucher' | 'Notification'>;

export function emptyFigures(): RangeFigures {
  return {
    newCustomers: 0,
    linksOpened: 0,
    friendsJoined: 0,
    firstVisits: 0,
    conversions: 0,
    rewardsIssued: 0,
    rewardsRedeemed: 0,
    referredRevenue: 0,
    tierUpgrades: 0,
    undeliverable: 0,
    byChannel: Object.fromEntries(referralChannels.map((c) => [c, 0])) as Record<ReferralChannel, number>,
    referrers: {},
  };
}

const counts = [
  'newCustomers',
  'linksOpened',
  'friendsJoined',
  'firstVisits',
  'conversions',
  'rewardsIssued',
  'rewardsRedeemed',
  'referredRevenue',
  'tierUpgrades',
  'undeliverable',
] as const;

/** The figures of two adjoining ranges as one. */
export function addFigures(a: RangeFigures, b: RangeFigures): RangeFigures {
  const sum = emptyFigures();
  for (const key of counts) sum[key] = a[key] + b[key];
  for (const channel of referralChannels) sum.byChannel[channel] = a.byChannel[channel] + b.byChannel[channel];
  for (const part of [a.referrers, b.referrers]) {
    for (const [id, friends] of Object.entries(part)) sum.referrers[id] = (sum.referrers[id] ?? 0) + friends;
  }
  return sum;
}

/**
 * The figures of [from, to) read from the records themselves (the slow path: its cost
 * follows the range's activity). Every query is a range on an indexed date field; sums are
 * done here over the range's documents (FerretDB 1.x miscounts some $group accumulators).
 */
export async function countFigures(models: FigureModels, from: Date, to: Date): Promise<RangeFigures> {
  const range = { $gte: from, $lt: to };
  const [newCustomers, linksOpened, joined, converted, firstVisits, rewardsIssued, rewardsRedeemed, referredVisits, tierUpgrades, undeliverable] =
    await Promise.all([
      models.Customer.countDocuments({ createdAt: range }),
      models.LinkOpen.countDocuments({ at: range }),
      models.Referral.find({ joinedAt: range }, { via: 1, _id: 0 }).lean(),
      models.Referral.find({ convertedAt: range, status: 'converted' }, { referrerId: 1, _id: 0 }).lean(),
      models.Visit.countDocuments({ at: range, first: true }),
      models.Voucher.countDocuments({ issuedAt: range }),
      models.Voucher.countDocuments({ redeemedAt: range, status: 'redeemed' }),
      models.Visit.find({ at: range, referred: true }, { amount: 1, _id: 0 }).lean(),
      // A tier is announced in the one message of the event that crossed it.
      models.Notification.countDocuments({ type: { $in: [...eventNotificationTypes] }, 'data.tier': { $exists: true }, createdAt: range }),
      models.Notification.countDocuments({ status: 'undeliverable', updatedAt: range }),
    ]);
  const figures = emptyFigures();
  for (const referral of joined) figures.byChannel[referral.via] += 1;
  for (const referral of converted) {
    const id = String(referral.referrerId);
    figures.referrers[id] = (figures.referrers[id] ?? 0) + 1;
  }
  return {
    ...figures,
    newCustomers,
    linksOpened,
    friendsJoined: joined.length,
    firstVisits,
    conversions: converted.length,
    rewardsIssued,
    rewardsRedeemed,
    referredRevenue: referredVisits.reduce((sum, visit) => sum + (visit.amount ?? 0), 0),
    tierUpgrades,
    undeliverable,
  };
}
