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
  /** Paid memberships sold in the range (new and extended), and the VND paid for them. */
  memberships: number;
  membershipRevenue: number;
  byChannel: Record<ReferralChannel, number>;
  /** Converted friends per referrer (customer id as hex). */
  referrers: Record<string, number>;
}

export type FigureModels = Pick<Models, 'Customer' | 'LinkOpen' | 'Referral' | 'Visit' | 'Voucher' | 'Notification' | 'Membership'>;

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
    byChannel: Object.fromEntries(referralChannels.map((c) => [c, 0])) as Record<ReferralChannel, number>,
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
  const [
    newCustomers,
    linksOpened,
    joined,
    converted,
    firstVisits,
    rewardsIssued,
    rewardsRedeemed,
    referredVisits,
    tierUpgrades,
    undeliverable,
    sold,
  ] = await Promise.all([
    models.Customer.countDocuments(within('createdAt', 'createdDay')),
    models.LinkOpen.countDocuments(within('at', 'atDay')),
    models.Referral.find(within('joinedAt', 'joinedDay'), { via: 1, _id: 0 }).lean(),
    models.Referral.find({ ...within('convertedAt', 'convertedDay'), status: 'converted' }, { referrerId: 1, _id: 0 }).lean(),
    // An undone visit counts for nothing (see corrections).
    models.Visit.countDocuments({ ...within('at', 'atDay'), first: true, undoneAt: null }),
    models.Voucher.countDocuments(within('issuedAt', 'issuedDay')),
    models.Voucher.countDocuments({ ...within('redeemedAt', 'redeemedDay'), status: 'redeemed' }),
    models.Visit.find({ ...within('at', 'atDay'), referred: true, undoneAt: null }, { amount: 1, _id: 0 }).lean(),
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
    memberships: sold.length,
    membershipRevenue: sold.reduce((sum, membership) => sum + membership.amount, 0),
  };
}
