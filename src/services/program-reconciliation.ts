import type { Types } from 'mongoose';
import { monthBounds } from '../domain/commission.js';
import type { Models } from '../db/models/index.js';
import type { Visit } from '../db/models/visit.js';
import type { Voucher } from '../db/models/voucher.js';

/** Rewards of one kind of movement in the month, and what they cost at face value (whole VND). */
export interface RewardFigures {
  count: number;
  /** amount_off at its value; percent_off (redeemed only) at its percent of the visit it was used on. */
  value: number;
  /** percent_off rewards whose value is not known: issued or expired (no visit), or redeemed on a day without a visit amount. */
  unpriced: number;
  /** free_service rewards: counted, no value (the rules do not price a service). */
  freeServices: number;
  /** bonus_points rewards: the points they gave (points are not money). */
  bonusPoints: number;
}

/** The owner's reconciliation of one closed month (ProgramClose.summary). */
export interface ProgramSummary {
  month: string;
  partners: { count: number; commission: number; adjustments: number; due: number; owedTotal: number; revenue: number };
  rewards: { issued: RewardFigures; redeemed: RewardFigures; expired: RewardFigures };
  /** Visits of referred customers (through a partner or a friend), and what they were recorded for. */
  referredVisits: number;
  referredRevenue: number;
  /** What the program cost in the month: rewards redeemed at face value plus partner commission due. */
  cost: number;
}

const empty = (): RewardFigures => ({ count: 0, value: 0, unpriced: 0, freeServices: 0, bonusPoints: 0 });

/**
 * The referral program's side of the monthly close, read from the vouchers and visits:
 * rewards issued (not later cancelled) vs redeemed vs expired in the month, and what referred
 * customers spent. A percent_off reward's cost is its percent of the amount of the customer's
 * visit on the day it was redeemed (the nearest one, when there were several).
 */
export function createProgramReconciliation(models: Pick<Models, 'Voucher' | 'Visit'>, timezone: string, now: () => Date) {
  async function visitAmountNear(customerId: Types.ObjectId, day: string | null | undefined, at: Date): Promise<number | undefined> {
    if (!day) return undefined;
    const visits = await models.Visit.find({ customerId, atDay: day, undoneAt: null }, { at: 1, amount: 1 }).lean<Visit[]>();
    const priced = visits.filter((v) => typeof v.amount === 'number');
    priced.sort((a, b) => Math.abs(a.at.getTime() - at.getTime()) - Math.abs(b.at.getTime() - at.getTime()));
    return priced[0]?.amount ?? undefined;
  }

  async function add(figures: RewardFigures, voucher: Voucher, redeemed: boolean): Promise<void> {
    figures.count += 1;
    const { kind, value } = voucher.reward;
    if (kind === 'amount_off') figures.value += value;
    else if (kind === 'free_service') figures.freeServices += 1;
    else if (kind === 'bonus_points') figures.bonusPoints += value;
    else {
      const amount = redeemed && voucher.redeemedAt ? await visitAmountNear(voucher.customerId, voucher.redeemedDay, voucher.redeemedAt) : undefined;
      if (amount === undefined) figures.unpriced += 1;
      else figures.value += Math.round((amount * value) / 100);
    }
  }

  async function rewardsOf(month: string): Promise<ProgramSummary['rewards']> {
    const { start, end, firstDay, lastDay } = monthBounds(month, timezone);
    const days = { $gte: firstDay, $lte: lastDay };
    const rewards = { issued: empty(), redeemed: empty(), expired: empty() };
    for (const v of await models.Voucher.find({ issuedDay: days, status: { $ne: 'cancelled' } }).lean<Voucher[]>())
      await add(rewards.issued, v, false);
    for (const v of await models.Voucher.find({ redeemedDay: days, status: 'redeemed' }).lean<Voucher[]>()) await add(rewards.redeemed, v, true);
    // An active voucher past its end counts as expired even before the hourly sweep marks it.
    const until = new Date(Math.min(end.getTime(), now().getTime()));
    for (const status of ['active', 'expired'] as const) {
      const expired = await models.Voucher.find({ status, expiresAt: { $gte: start, $lt: until } }).lean<Voucher[]>();
      for (const v of expired) await add(rewards.expired, v, false);
    }
    return rewards;
  }

  async function referredOf(month: string): Promise<{ visits: number; revenue: number }> {
    const { firstDay, lastDay } = monthBounds(month, timezone);
    const visits = await models.Visit.find({ atDay: { $gte: firstDay, $lte: lastDay }, referred: true, undoneAt: null }, { amount: 1 }).lean();
    return { visits: visits.length, revenue: visits.reduce((sum, v) => sum + (v.amount ?? 0), 0) };
  }

  return { rewardsOf, referredOf };
}
