import { DateTime } from 'luxon';

/**
 * The report periods the owner picks (the back office's overview): named ones counted back
 * from now in the shop's time zone, or a custom range of whole days. Each has a previous
 * period of the same number of days, right before it, that its figures are compared with.
 */
export const namedPeriods = ['today', '7d', '30d', '90d', 'month', 'lastMonth'] as const;
export type NamedPeriod = (typeof namedPeriods)[number];
export const isNamedPeriod = (value: unknown): value is NamedPeriod =>
  typeof value === 'string' && (namedPeriods as readonly string[]).includes(value);

/** The longest custom range, in days: its previous period doubles what the report reads. */
export const MAX_RANGE_DAYS = 366;

export interface PeriodRange {
  /** [from, to): `to` is now for a period that is not over. */
  from: Date;
  to: Date;
  /** The first and last business day inside (yyyy-mm-dd). */
  firstDay: string;
  lastDay: string;
  days: number;
  /** The same number of days right before, ending at the same time of day. */
  previous: { from: Date; to: Date };
}

export type PeriodChoice = { period: NamedPeriod } | { period: 'custom'; from: string; to: string };

export type PeriodRangeResult = { ok: true; range: PeriodRange } | { ok: false; reason: 'invalid_date' | 'from_after_to' | 'in_future' | 'too_long' };

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

function rangeOf(first: DateTime, days: number, now: DateTime): PeriodRange {
  const end = first.plus({ days });
  const to = end < now ? end : now;
  return {
    from: first.toJSDate(),
    to: to.toJSDate(),
    firstDay: first.toISODate() ?? '',
    lastDay: first.plus({ days: days - 1 }).toISODate() ?? '',
    days,
    previous: { from: first.minus({ days }).toJSDate(), to: to.minus({ days }).toJSDate() },
  };
}

/** The range of a named period or a custom one (dates as yyyy-mm-dd, both days included). */
export function periodRange(choice: PeriodChoice, at: Date, timezone: string): PeriodRangeResult {
  const now = DateTime.fromJSDate(at, { zone: timezone });
  const today = now.startOf('day');
  switch (choice.period) {
    case 'today':
      return { ok: true, range: rangeOf(today, 1, now) };
    case '7d':
    case '30d':
    case '90d': {
      const days = Number.parseInt(choice.period, 10);
      return { ok: true, range: rangeOf(today.minus({ days: days - 1 }), days, now) };
    }
    case 'month': {
      // The month so far, against as many days right before it.
      const first = today.startOf('month');
      return { ok: true, range: rangeOf(first, today.day, now) };
    }
    case 'lastMonth': {
      const first = today.startOf('month').minus({ months: 1 });
      return { ok: true, range: rangeOf(first, first.daysInMonth ?? 30, now) };
    }
    case 'custom': {
      const day = (text: string) => (isoDay.test(text) ? DateTime.fromISO(text, { zone: timezone }).startOf('day') : undefined);
      const from = day(choice.from);
      const to = day(choice.to);
      if (!from?.isValid || !to?.isValid) return { ok: false, reason: 'invalid_date' };
      if (from > to) return { ok: false, reason: 'from_after_to' };
      if (to > today) return { ok: false, reason: 'in_future' };
      const days = Math.round(to.diff(from, 'days').days) + 1;
      if (days > MAX_RANGE_DAYS) return { ok: false, reason: 'too_long' };
      return { ok: true, range: rangeOf(from, days, now) };
    }
  }
}

/** How a figure moved against the previous period: by how much and by what share, or new (from 0). */
export type Change = { kind: 'same' } | { kind: 'new' } | { kind: 'delta'; delta: number; percent: number };

export function changeOf(current: number, previous: number): Change {
  if (current === previous) return { kind: 'same' };
  if (previous === 0) return { kind: 'new' };
  return { kind: 'delta', delta: current - previous, percent: Math.round(((current - previous) / previous) * 100) };
}
