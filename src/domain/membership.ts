import { DateTime } from 'luxon';

/** The longest membership one enrolment sells: a longer one is a typing mistake (e.g. "120" for 12). */
export const MAX_MEMBERSHIP_MONTHS = 36;

/**
 * A period as staff type it, in months: `12`, `12m`, `12th`/`12t`/`12tháng` (Vietnamese
 * "tháng" = month), `1y`, `1n`/`1năm` (năm = year). Undefined when it is not one of these.
 */
export function parsePeriod(word: string): number | undefined {
  const match = /^(\d{1,3})\s*(m|t|th|thang|tháng|y|n|nam|năm)?$/u.exec(word.trim().toLowerCase());
  if (!match) return undefined;
  const count = Number(match[1]);
  const years = ['y', 'n', 'nam', 'năm'].includes(match[2] ?? '');
  const months = years ? count * 12 : count;
  return months > 0 ? months : undefined;
}

export type PeriodCheck = { ok: true; periods: number } | { ok: false; reason: 'invalid' | 'not_multiple' | 'too_long' };

/** A period the rules sell: whole multiples of the rules' period, at most MAX_MEMBERSHIP_MONTHS. */
export function checkPeriod(months: number, periodMonths: number): PeriodCheck {
  if (!Number.isInteger(months) || months < 1) return { ok: false, reason: 'invalid' };
  if (months > Math.max(MAX_MEMBERSHIP_MONTHS, periodMonths)) return { ok: false, reason: 'too_long' };
  if (months % periodMonths !== 0) return { ok: false, reason: 'not_multiple' };
  return { ok: true, periods: months / periodMonths };
}

/**
 * The end of a membership of `months` starting at `start`: the end of that business day
 * `months` later in the shop's time zone (31/01 + 1 month ends on 28/02 or 29/02).
 */
export function membershipEnd(start: Date, months: number, timezone: string): Date {
  return DateTime.fromJSDate(start, { zone: timezone }).plus({ months }).endOf('day').toJSDate();
}

/** Where a new period starts: at the end of a membership still running, else now. */
export function periodStart(now: Date, currentEnd: Date | undefined): Date {
  return currentEnd && currentEnd > now ? currentEnd : now;
}

/** Two identical sales by one staff member this close together are one sale sent twice (a double tap on "send"). */
export const DOUBLE_SEND_MS = 2 * 60_000;

/** True when a sale looks like a second send of `latest`: same seller, same months, moments apart. */
export function isDoubleSend(
  latest: { soldBy: { equals(other: unknown): boolean }; months: number; at: Date } | undefined,
  soldBy: unknown,
  months: number,
  now: Date,
): boolean {
  return !!latest && latest.soldBy.equals(soldBy) && latest.months === months && now.getTime() - latest.at.getTime() < DOUBLE_SEND_MS;
}

/** The end of a membership still running at `now`, else undefined (a lapsed one is not shown as a membership). */
export function runningUntil(memberUntil: Date | null | undefined, now: Date): Date | undefined {
  return memberUntil && memberUntil > now ? memberUntil : undefined;
}
