import { DateTime } from 'luxon';

/** "21:00" as the cron expression Agenda runs daily at that local time. */
export function dailyCron(localTime: string): string {
  const [hours = '0', minutes = '0'] = localTime.split(':');
  return `${Number(minutes)} ${Number(hours)} * * *`;
}

/** The next instant, strictly after `now`, when the clock in `timezone` shows `localTime`. */
export function nextDailyRun(now: Date, localTime: string, timezone: string): Date {
  const [hours = 0, minutes = 0] = localTime.split(':').map(Number);
  const local = DateTime.fromJSDate(now, { zone: timezone });
  let next = local.set({ hour: hours, minute: minutes, second: 0, millisecond: 0 });
  if (next <= local) next = next.plus({ days: 1 });
  return next.toJSDate();
}

/**
 * The business day an instant falls on, as yyyy-mm-dd in the shop's time zone: the day key
 * stored beside each timestamp the reports count, so that a day's records are found by
 * equality (which FerretDB hands to PostgreSQL's indexes) rather than by a date range.
 */
export function dayKey(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toISODate() ?? '';
}

/** The business day (yyyy-mm-dd) an instant falls on, and that day's bounds. */
export function businessDay(at: Date, timezone: string): { date: string; start: Date; end: Date } {
  const local = DateTime.fromJSDate(at, { zone: timezone }).startOf('day');
  return { date: local.toISODate() ?? '', start: local.toJSDate(), end: local.plus({ days: 1 }).toJSDate() };
}

/** The bounds of business day `day` (yyyy-mm-dd) in the time zone, or undefined when it is not a date. */
export function dayBounds(day: string, timezone: string): { start: Date; end: Date } | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const local = DateTime.fromISO(day, { zone: timezone });
  return local.isValid ? { start: local.toJSDate(), end: local.plus({ days: 1 }).toJSDate() } : undefined;
}

/**
 * The first instant still kept when records are kept for `days` days: the start of the
 * business day `days` days before today's, in the shop's time zone. Today and the `days`
 * whole days before it are kept; what was stamped earlier is due.
 */
export function retentionCutoff(now: Date, days: number, timezone: string): Date {
  return DateTime.fromJSDate(now, { zone: timezone }).startOf('day').minus({ days }).toJSDate();
}
