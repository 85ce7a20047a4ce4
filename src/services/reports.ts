import { DateTime } from 'luxon';
import type { Models } from '../db/models/index.js';
import { businessDay } from '../domain/schedule.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { ReferralChannel } from '../db/models/customer.js';
import { addFigures, countFigures, counts, emptyFigures, type ChannelFigures, type FigureModels, type RangeFigures } from './figures.js';
import type { Rollups } from './rollups.js';
import { findEach } from '../db/each-value.js';

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
  /** Each channel's funnel: links opened, friends joined, their first visits and revenue. */
  byChannel: Record<ReferralChannel, ChannelFigures>;
  topReferrers: Array<{ name: string; code: string; friends: number }>;
  tierUpgrades: number;
  undeliverable: number;
  /** Paid memberships sold in the period, and their revenue (VND). */
  memberships: number;
  membershipRevenue: number;
  /** Customers whose paid membership runs at the end of the period (or now, for a period not over). */
  activeMembers: number;
  openFlags: number;
}

/** First visits of referred friends over friends who joined, 0-1. */
const conversionRate = ({ friendsJoined, conversions }: RangeFigures) => (friendsJoined === 0 ? 0 : Math.min(1, conversions / friendsJoined));

/** The figures the overview draws day by day. */
export const seriesFigures = ['newCustomers', 'friendsJoined', 'firstVisits', 'referredRevenue', 'rewardsIssued', 'rewardsRedeemed'] as const;
export type DayFigures = { date: string } & Record<(typeof seriesFigures)[number], number>;

export interface PeriodReport {
  stats: PeriodStats;
  /** The counted figures of the period before, with its conversion rate. */
  previous: RangeFigures & { conversionRate: number };
  /** Each business day of the period, in order (the last one so far). */
  days: DayFigures[];
}

/** Figures of the daily summary that are compared with yesterday and the 7-day average: every count but conversions (shown as a rate). */
export type SummaryFigure = Exclude<(typeof counts)[number], 'conversions'>;
export const summaryFigures = counts.filter((figure): figure is SummaryFigure => figure !== 'conversions');

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
 * the services a channel or page gets. Closed days come from their rollups, the rest of a
 * range from the records (see rollups.ts); `getStatsDirect` counts all of it from the
 * records, the slow path the rollups must equal.
 */
export function createReportFigures(deps: {
  models: FigureModels & Pick<Models, 'FraudFlag'>;
  timezone: string;
  now?: () => Date;
  rollups: Rollups;
}) {
  const { models, timezone, rollups } = deps;
  const now = deps.now ?? (() => new Date());

  /** [from, to) for today, the last 7 days or the last 30 days, in the shop's time zone. */
  function periodRange(period: StatsPeriod): { from: Date; to: Date } {
    const end = DateTime.fromJSDate(now(), { zone: timezone });
    const days = period === 'today' ? 1 : period === '7d' ? 7 : 30;
    const from = end.startOf('day').minus({ days: days - 1 });
    return { from: from.toJSDate(), to: end.toJSDate() };
  }

  /**
   * The customers with a paid membership running at `at`: one record per sale, so the
   * memberships still running are few and read whole.
   */
  async function membersAt(at: Date): Promise<number> {
    const running = await models.Membership.find({ endsAt: { $gt: at } }, { customerId: 1, at: 1, _id: 0 }).lean();
    return new Set(running.filter((membership) => membership.at <= at).map((membership) => String(membership.customerId))).size;
  }

  /** The rates, the ranking, the open flags and the members over counted figures. */
  async function present(figures: RangeFigures, from: Date, to: Date): Promise<PeriodStats> {
    // Most friends first; equal counts in id order, so every way of counting ranks them alike.
    const topIds = Object.entries(figures.referrers)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 5);
    const [people, openFlags, activeMembers] = await Promise.all([
      findEach(
        topIds.map(([id]) => id),
        (_id) => models.Customer.find({ _id }, { name: 1, code: 1 }).lean(),
      ),
      models.FraudFlag.countDocuments({ status: 'open' }),
      membersAt(to < now() ? to : now()),
    ]);
    const topReferrers = topIds.map(([id, friends]) => {
      const person = people.find((p) => String(p._id) === id);
      return { name: person?.name ?? '', code: person?.code ?? '', friends };
    });
    const { friendsJoined } = figures;
    return {
      from,
      to,
      newCustomers: figures.newCustomers,
      linksOpened: figures.linksOpened,
      friendsJoined,
      firstVisits: figures.firstVisits,
      conversionRate: conversionRate(figures),
      rewardsIssued: figures.rewardsIssued,
      rewardsRedeemed: figures.rewardsRedeemed,
      referredRevenue: figures.referredRevenue,
      byChannel: structuredClone(figures.byChannel),
      topReferrers,
      tierUpgrades: figures.tierUpgrades,
      undeliverable: figures.undeliverable,
      memberships: figures.memberships,
      membershipRevenue: figures.membershipRevenue,
      activeMembers,
      openFlags,
    };
  }

  const getStats = async (from: Date, to: Date) => present(await rollups.figuresBetween(from, to), from, to);

  /**
   * A period's figures with the same figures day by day (the overview's charts) and those of
   * the period before it (the change): each day read once, closed days from their rollups.
   */
  async function getReport(range: { from: Date; to: Date }, previous: { from: Date; to: Date }): Promise<PeriodReport> {
    const [days, before] = await Promise.all([rollups.figuresByDay(range.from, range.to), rollups.figuresBetween(previous.from, previous.to)]);
    const total = days.map((day) => day.figures).reduce(addFigures, emptyFigures());
    return {
      stats: await present(total, range.from, range.to),
      previous: { ...before, conversionRate: conversionRate(before) },
      days: days.map(({ date, figures }) => ({ date, ...Object.fromEntries(seriesFigures.map((name) => [name, figures[name]])) }) as DayFigures),
    };
  }
  const getStatsDirect = async (from: Date, to: Date) => present(await countFigures(models, from, to), from, to);

  /** The business day containing `at`, with yesterday's figures and the previous 7-day average. */
  async function getDailySummary(at: Date): Promise<DailySummary> {
    const day = businessDay(at, timezone);
    const yesterdayStart = businessDay(new Date(day.start.getTime() - 1), timezone).start;
    const weekStart = DateTime.fromJSDate(day.start, { zone: timezone }).minus({ days: 7 }).toJSDate();
    const [today, yesterday, before] = await Promise.all([
      getStats(day.start, day.end),
      rollups.figuresBetween(yesterdayStart, day.start),
      rollups.figuresBetween(weekStart, yesterdayStart),
    ]);
    const pick = (figures: Pick<PeriodStats, SummaryFigure>, divisor: number) =>
      Object.fromEntries(summaryFigures.map((f) => [f, Math.round((figures[f] / divisor) * 10) / 10])) as Record<SummaryFigure, number>;
    return { date: day.date, today, yesterday: pick(yesterday, 1), weekAverage: pick(addFigures(yesterday, before), 7) };
  }

  return {
    getStats,
    getStatsDirect,
    getReport,
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
