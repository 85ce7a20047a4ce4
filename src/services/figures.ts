import { referralChannels, type ReferralChannel } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { eventNotificationTypes } from '../db/models/notification.js';
import { findEach } from '../db/each-value.js';

/**
 * One referral channel's funnel in a range: its links opened, the friends who joined through
 * it, those friends' first visits (referrals converted in the range and still counting) and
 * the VND they spent in the range. A friend belongs to the channel they joined through.
 */
export interface ChannelFigures {
  linksOpened: number;
  friendsJoined: number;
  firstVisits: number;
  revenue: number;
}
const channelCounts = ['linksOpened', 'friendsJoined', 'firstVisits', 'revenue'] as const satisfies ReadonlyArray<keyof ChannelFigures>;

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
  /** Paid memberships sold in the range (new and extended), and the VND paid for them. */
  memberships: number;
  membershipRevenue: number;
  byChannel: Record<ReferralChannel, ChannelFigures>;
  /** Converted friends per referrer (customer id as hex). */
  referrers: Record<string, number>;
}

export type FigureModels = Pick<Models, 'Customer' | 'LinkOpen' | 'Referral' | 'Visit' | 'Voucher' | 'Notification' | 'Membership'>;

const emptyChannel = (): ChannelFigures => ({ linksOpened: 0, friendsJoined: 0, firstVisits: 0, revenue: 0 });

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
    memberships: 0,
    membershipRevenue: 0,
    byChannel: Object.fromEntries(referralChannels.map((c) => [c, emptyChannel()])) as Record<ReferralChannel, ChannelFigures>,
    referrers: {},
  };
}

/** The figures that are plain counts (or sums) of a range. */
export const counts = [
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
  'memberships',
  'membershipRevenue',
] as const;

/**
 * The figures read from records the retention job removes (see services/retention.ts), by the
 * kind of record: once a day's records of a kind are gone, its rollup keeps these figures.
 */
export const prunedFigures = {
  linkOpens: ['linksOpened'],
  notifications: ['tierUpgrades', 'undeliverable'],
} as const satisfies Record<string, ReadonlyArray<(typeof counts)[number]>>;
export type PrunedKind = keyof typeof prunedFigures;
/** The same for each channel's figures (byChannel). */
export const prunedChannelFigures: Record<PrunedKind, ReadonlyArray<keyof ChannelFigures>> = {
  linkOpens: ['linksOpened'],
  notifications: [],
};

/** The figures of two adjoining ranges as one. */
export function addFigures(a: RangeFigures, b: RangeFigures): RangeFigures {
  const sum = emptyFigures();
  for (const key of counts) sum[key] = a[key] + b[key];
  for (const channel of referralChannels) {
    for (const name of channelCounts) sum.byChannel[channel][name] = a.byChannel[channel][name] + b.byChannel[channel][name];
  }
  for (const part of [a.referrers, b.referrers]) {
    for (const [id, friends] of Object.entries(part)) sum.referrers[id] = (sum.referrers[id] ?? 0) + friends;
  }
  return sum;
}

/** The stamps the figures count, each with the day key stored beside it (see domain/schedule.ts dayKey). */
type Stamp = 'createdAt' | 'at' | 'joinedAt' | 'convertedAt' | 'issuedAt' | 'redeemedAt' | 'updatedAt';
type DayField = 'createdDay' | 'atDay' | 'joinedDay' | 'convertedDay' | 'issuedDay' | 'redeemedDay' | 'undeliverableDay';
/** The filter that selects the counted records by one stamp. */
type Within = (stamp: Stamp, day: DayField) => Record<string, unknown>;

/**
 * The figures of [from, to) read from the records themselves by date ranges: the slow path
 * the rollups must equal, and the one for ranges that are not whole business days. FerretDB
 * 1.x filters a range itself, over the whole collection, so its cost follows the history.
 */
export function countFigures(models: FigureModels, from: Date, to: Date): Promise<RangeFigures> {
  const range = { $gte: from, $lt: to };
  return count(models, (stamp) => ({ [stamp]: range }));
}

/**
 * One business day's figures (yyyy-mm-dd, see dayKey) read by the day keys: equality
 * filters, which FerretDB hands to PostgreSQL's indexes, so the cost follows the day's
 * activity. Equal to countFigures over the day once every record has its keys (DayKeys).
 */
export function countDayFigures(models: FigureModels, day: string): Promise<RangeFigures> {
  return count(models, (_stamp, field) => ({ [field]: day }));
}

/**
 * A part [from, to) of one business day whose records all carry day keys: the day's records
 * by equality (what FerretDB hands to PostgreSQL's indexes), the stamps bounding them
 * within the day. So a period's ragged end (today's previous period ending at this hour
 * yesterday) costs one day's activity, not the whole history.
 */
export function countDayPartFigures(models: FigureModels, day: string, from: Date, to: Date): Promise<RangeFigures> {
  const range = { $gte: from, $lt: to };
  return count(models, (stamp, field) => ({ [field]: day, [stamp]: range }));
}

/** Sums are done here over the matching documents (FerretDB 1.x miscounts some $group accumulators). */
async function count(models: FigureModels, within: Within): Promise<RangeFigures> {
  const [opened, newCustomers, joined, converted, firstVisits, rewardsIssued, rewardsRedeemed, referredVisits, tierUpgrades, undeliverable, sold] =
    await Promise.all([
      Promise.all(referralChannels.map((via) => models.LinkOpen.countDocuments({ ...within('at', 'atDay'), via }))),
      models.Customer.countDocuments(within('createdAt', 'createdDay')),
      models.Referral.find(within('joinedAt', 'joinedDay'), { via: 1, _id: 0 }).lean(),
      models.Referral.find({ ...within('convertedAt', 'convertedDay'), status: 'converted' }, { referrerId: 1, via: 1, _id: 0 }).lean(),
      // An undone visit counts for nothing (see corrections).
      models.Visit.countDocuments({ ...within('at', 'atDay'), first: true, undoneAt: null }),
      models.Voucher.countDocuments(within('issuedAt', 'issuedDay')),
      models.Voucher.countDocuments({ ...within('redeemedAt', 'redeemedDay'), status: 'redeemed' }),
      models.Visit.find({ ...within('at', 'atDay'), referred: true, undoneAt: null }, { customerId: 1, amount: 1, _id: 0 }).lean(),
      // A tier is announced in the one message of the event that crossed it.
      models.Notification.countDocuments({
        ...within('createdAt', 'createdDay'),
        // eslint-disable-next-line no-restricted-syntax -- the day's equality narrows the read
        type: { $in: [...eventNotificationTypes] },
        'data.tier': { $exists: true },
      }),
      // The last update of an undeliverable notification is the one that gave it up.
      models.Notification.countDocuments({ ...within('updatedAt', 'undeliverableDay'), status: 'undeliverable' }),
      models.Membership.find(within('at', 'atDay'), { amount: 1, _id: 0 }).lean(),
    ]);
  const figures = emptyFigures();
  referralChannels.forEach((via, i) => (figures.byChannel[via].linksOpened = opened[i] ?? 0));
  for (const referral of joined) figures.byChannel[referral.via].friendsJoined += 1;
  for (const referral of converted) {
    const id = String(referral.referrerId);
    figures.referrers[id] = (figures.referrers[id] ?? 0) + 1;
    figures.byChannel[referral.via].firstVisits += 1;
  }
  await addRevenueByChannel(models, referredVisits, figures.byChannel);
  return {
    ...figures,
    newCustomers,
    linksOpened: opened.reduce((sum, n) => sum + n, 0),
    friendsJoined: joined.length,
    firstVisits,
    conversions: converted.length,
    rewardsIssued,
    rewardsRedeemed,
    referredRevenue: referredVisits.reduce((sum, visit) => sum + (visit.amount ?? 0), 0),
    tierUpgrades,
    undeliverable,
    memberships: sold.length,
    membershipRevenue: sold.reduce((sum, membership) => sum + membership.amount, 0),
  };
}

/**
 * Each referred visit's amount under the channel its customer came through. The range's
 * spending customers are read once each (by equality, see db/each-value.ts); a customer whose
 * details were erased has no channel any more and counts in the total only.
 */
async function addRevenueByChannel(
  models: FigureModels,
  visits: ReadonlyArray<{ customerId: unknown; amount?: number | null }>,
  byChannel: Record<ReferralChannel, ChannelFigures>,
): Promise<void> {
  const paid = visits.filter((visit) => (visit.amount ?? 0) > 0);
  const customers = await findEach(
    paid.map((visit) => visit.customerId),
    (_id) => models.Customer.find({ _id }, { referredVia: 1 }).lean(),
  );
  const channelOf = new Map(customers.map((customer) => [String(customer._id), customer.referredVia]));
  for (const visit of paid) {
    const via = channelOf.get(String(visit.customerId));
    if (via) byChannel[via].revenue += visit.amount ?? 0;
  }
}
