import { DateTime } from 'luxon';
import type { Commission } from '../program/schema.js';

/**
 * Partner commission and business months, without I/O. A month key is `YYYY-MM` in the shop's
 * time zone. Commission is whole VND, rounded to the nearest đồng per visit line (half up):
 * the statement's total is the sum of its lines, so the owner can check every line by hand.
 */

const MONTH_SHAPE = /^\d{4}-(0[1-9]|1[0-2])$/;

export const isMonthKey = (value: unknown): value is string => typeof value === 'string' && MONTH_SHAPE.test(value);

/** The business month an instant falls in. */
export function monthKey(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyy-MM');
}

/** The month's bounds [start, end) and its first and last business days (yyyy-mm-dd). */
export function monthBounds(month: string, timezone: string): { start: Date; end: Date; firstDay: string; lastDay: string } {
  const first = DateTime.fromFormat(month, 'yyyy-MM', { zone: timezone }).startOf('month');
  const next = first.plus({ months: 1 });
  return { start: first.toJSDate(), end: next.toJSDate(), firstDay: first.toISODate() ?? '', lastDay: next.minus({ days: 1 }).toISODate() ?? '' };
}

/** The month `count` months after `month` (negative: before). */
export function addMonths(month: string, count: number): string {
  return DateTime.fromFormat(month, 'yyyy-MM', { zone: 'UTC' }).plus({ months: count }).toFormat('yyyy-MM');
}

/** The months from `from` to `to`, both included, oldest first (empty when `from` is later). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from; month <= to; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** The rule as a line keeps it: what was in force when the line was derived. */
export type RuleSnapshot = { kind: 'revenue_share'; percent: number; days: number } | { kind: 'first_visit'; amount: number };

export function snapshotOf(commission: Commission): RuleSnapshot {
  return commission.kind === 'revenue_share'
    ? { kind: 'revenue_share', percent: commission.percent, days: commission.days }
    : { kind: 'first_visit', amount: commission.amount };
}

/** What the rule needs to know about a visit of a customer a partner brought. */
export interface CommissionVisit {
  at: Date;
  amount?: number | null;
  /** The visit that converted the customer's referral (their confirmed first visit). */
  converting: boolean;
}

/**
 * The commission a visit earns, or undefined when it earns no line. `revenue_share`: `percent`
 * of the visit's amount for visits on the day of the converting visit and the `days - 1`
 * business days after it (a visit recorded without an amount earns 0 but is listed); visits
 * before the conversion or after the window earn nothing. `first_visit`: `amount` on the
 * converting visit only.
 */
export function commissionFor(rule: RuleSnapshot, visit: CommissionVisit, convertedAt: Date, timezone: string): number | undefined {
  if (rule.kind === 'first_visit') return visit.converting ? rule.amount : undefined;
  if (visit.at < convertedAt && !visit.converting) return undefined;
  const start = DateTime.fromJSDate(convertedAt, { zone: timezone }).startOf('day');
  const day = DateTime.fromJSDate(visit.at, { zone: timezone }).startOf('day');
  if (Math.round(day.diff(start, 'days').days) >= rule.days) return undefined;
  return Math.round(((visit.amount ?? 0) * rule.percent) / 100);
}
