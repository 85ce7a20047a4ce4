import { DateTime } from 'luxon';
import type { Models } from '../db/models/index.js';
import { eventNotificationTypes } from '../db/models/notification.js';
import { businessDay } from '../domain/schedule.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';

export interface PeriodStats {
  from: Date;
  to: Date;
  newCustomers: number;
  linksOpened: number;
  friendsJoined: number;
  firstVisits: number;
  /** First visits of referred friends in the period over friends who joined in it, 0-1. */
  conversionRate: number;
  rewardsIssued: number;
  rewardsRedeemed: number;
  /** VND spent by referred customers in the period. */
  referredRevenue: number;
  byChannel: Record<'telegram' | 'zalo' | 'link' | 'qr', number>;
  topReferrers: Array<{ name: string; code: string; friends: number }>;
  tierUpgrades: number;
  undeliverable: number;
  openFlags: number;
}

/**
 * The program's numbers for a time range. Every figure is a range query on an indexed
 * date field (customers.createdAt, link_opens.at, referrals.joinedAt/convertedAt,
 * visits.at, vouchers.issuedAt/redeemedAt, notifications.createdAt), so the cost follows
 * the period's activity, not the size of the history. Sums are done in code over the
 * period's documents (FerretDB 1.x miscounts some $group accumulators).
 */
/** Figures of the daily summary that are compared with yesterday and the 7-day average. */
export const summaryFigures = [
  'newCustomers',
  'linksOpened',
  'friendsJoined',
  'firstVisits',
  'rewardsIssued',
  'rewardsRedeemed',
  'referredRevenue',
  'tierUpgrades',
  'undeliverable',
] as const;
export type SummaryFigure = (typeof summaryFigures)[number];

export interface DailySummary {
  date: string;
  today: PeriodStats;
  /** Yesterday's value of each figure. */
  yesterday: Record<SummaryFigure, number>;
  /** Average per day over the 7 days before today. */
  weekAverage: Record<SummaryFigure, number>;
}

export type StatsPeriod = 'today' | '7d' | '30d';

export type PeriodStatsResult = { ok: true; stats: PeriodStats } | { ok: false; reason: 'not_allowed' };
export type DailySummaryResult = { ok: true; summary: DailySummary } | { ok: false; reason: 'not_allowed' };

/**
 * The figures themselves, for internal callers only: the daily-summary job (time, not a
 * person, asks) and the owner-facing reports below, after their role check. Not part of
 * the services a channel or page gets.
 */
export function createReportFigures(deps: { models: Models; timezone: string; now?: () => Date }) {
  const { models, timezone } = deps;
  const now = deps.now ?? (() => new Date());

  /** [from, to) for today, the last 7 days or the last 30 days, in the shop's time zone. */
  function periodRange(period: StatsPeriod): { from: Date; to: Date } {
    const end = DateTime.fromJSDate(now(), { zone: timezone });
    const days = period === 'today' ? 1 : period === '7d' ? 7 : 30;
    const from = end.startOf('day').minus({ days: days - 1 });
    return { from: from.toJSDate(), to: end.toJSDate() };
  }

  async function getStats(from: Date, to: Date): Promise<PeriodStats> {
    const range = { $gte: from, $lt: to };
    const [newCustomers, linksOpened, joined, converted, rewardsIssued, rewardsRedeemed, referredVisits, tierUpgrades, undeliverable, openFlags] =
      await Promise.all([
        models.Customer.countDocuments({ createdAt: range }),
        models.LinkOpen.countDocuments({ at: range }),
        models.Referral.find({ joinedAt: range }, { via: 1, _id: 0 }).lean(),
        models.Referral.find({ convertedAt: range, status: 'converted' }, { referrerId: 1, _id: 0 }).lean(),
        models.Voucher.countDocuments({ issuedAt: range }),
        models.Voucher.countDocuments({ redeemedAt: range, status: 'redeemed' }),
        models.Visit.find({ at: range, referred: true }, { amount: 1, _id: 0 }).lean(),
        // A tier is announced in the one message of the event that crossed it.
        models.Notification.countDocuments({ type: { $in: [...eventNotificationTypes] }, 'data.tier': { $exists: true }, createdAt: range }),
        models.Notification.countDocuments({ status: 'undeliverable', updatedAt: range }),
        models.FraudFlag.countDocuments({ status: 'open' }),
      ]);
    const firstVisits = await models.Visit.countDocuments({ at: range, first: true });

    const byChannel = { telegram: 0, zalo: 0, link: 0, qr: 0 };
    for (const referral of joined) byChannel[referral.via] += 1;

    const friendsByReferrer = new Map<string, number>();
    for (const referral of converted) {
      const id = String(referral.referrerId);
      friendsByReferrer.set(id, (friendsByReferrer.get(id) ?? 0) + 1);
    }
    const topIds = [...friendsByReferrer.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const people = await models.Customer.find({ _id: { $in: topIds.map(([id]) => id) } }, { name: 1, code: 1 }).lean();
    const topReferrers = topIds.map(([id, friends]) => {
      const person = people.find((p) => String(p._id) === id);
      return { name: person?.name ?? '', code: person?.code ?? '', friends };
    });

    return {
      from,
      to,
      newCustomers,
      linksOpened,
      friendsJoined: joined.length,
      firstVisits,
      conversionRate: joined.length === 0 ? 0 : Math.min(1, converted.length / joined.length),
      rewardsIssued,
      rewardsRedeemed,
      referredRevenue: referredVisits.reduce((sum, visit) => sum + (visit.amount ?? 0), 0),
      byChannel,
      topReferrers,
      tierUpgrades,
      undeliverable,
      openFlags,
    };
  }

  /** The business day containing `at`, with yesterday's figures and the previous 7-day average. */
  async function getDailySummary(at: Date): Promise<DailySummary> {
    const day = businessDay(at, timezone);
    const yesterdayStart = businessDay(new Date(day.start.getTime() - 1), timezone).start;
    const weekStart = DateTime.fromJSDate(day.start, { zone: timezone }).minus({ days: 7 }).toJSDate();
    const [today, yesterday, week] = await Promise.all([
      getStats(day.start, day.end),
      getStats(yesterdayStart, day.start),
      getStats(weekStart, day.start),
    ]);
    const pick = (stats: PeriodStats, divisor: number) =>
      Object.fromEntries(summaryFigures.map((f) => [f, Math.round((stats[f] / divisor) * 10) / 10])) as Record<SummaryFigure, number>;
    return { date: day.date, today, yesterday: pick(yesterday, 1), weekAverage: pick(week, 7) };
  }

  return {
    getStats,
    getDailySummary,
    getPeriodStats: (period: StatsPeriod) => {
      const { from, to } = periodRange(period);
      return getStats(from, to);
    },
  };
}

export type ReportFigures = ReturnType<typeof createReportFigures>;

/** The owner's figures on demand (`/stats`, `/summary`, the dashboard). */
export function createReportsService(ctx: Pick<ServicePieces, 'now' | 'access'>, figures: ReportFigures) {
  async function getPeriodStats(actor: Actor, period: StatsPeriod): Promise<PeriodStatsResult> {
    const allowed = await ctx.access.authorize(actor, 'stats', ['owner']);
    if (!allowed.ok) return allowed;
    return { ok: true, stats: await figures.getPeriodStats(period) };
  }

  /** Today's summary so far, as the daily message will show it. */
  async function getDailySummary(actor: Actor): Promise<DailySummaryResult> {
    const allowed = await ctx.access.authorize(actor, 'summary', ['owner']);
    if (!allowed.ok) return allowed;
    return { ok: true, summary: await figures.getDailySummary(ctx.now()) };
  }

  return { getPeriodStats, getDailySummary };
}

export type ReportsService = ReturnType<typeof createReportsService>;
