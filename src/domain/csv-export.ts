import { DateTime } from 'luxon';

/**
 * The shop's data as CSV files for Excel, without I/O: UTF-8 with a byte order mark (without
 * it Excel reads UTF-8 as the Windows code page and Vietnamese turns into mojibake), dates in
 * the shop's time zone, money as plain whole numbers, and text cells neutralised against
 * formula injection (names come from chat users).
 */

export const EXPORT_KINDS = ['customers', 'visits', 'vouchers', 'referrals', 'audit'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const isExportKind = (value: unknown): value is ExportKind => (EXPORT_KINDS as readonly unknown[]).includes(value);

export const UTF8_BOM = '\ufeff';

export type Cell = string | number | boolean | Date | undefined | null;

/**
 * A text cell Excel or LibreOffice would read as a formula (`=`, `+`, `-`, `@`, or a tab or
 * carriage return before one) gets a leading apostrophe, which shows it as typed (OWASP's
 * advice). Numbers the program writes are never text, so they stay numbers.
 */
export function neutralizeCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** "2026-12-01 14:05" in the shop's time zone: Excel reads it as a date and time. */
export function localTime(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm');
}

/** One cell as the CSV writer gets it: dates in the shop's time zone, booleans as 1/0, text neutralised. */
export function cellText(value: Cell, timezone: string): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return localTime(value, timezone);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  return neutralizeCell(value);
}

/** A period of business days, both ends included (yyyy-mm-dd), or every record. */
export type ExportPeriod = { from: string; to: string } | 'all';

const DAY_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** The period's bounds as instants in the shop's time zone: from the start of `from` to the end of `to`. */
export function periodBounds(period: { from: string; to: string }, timezone: string): { start: Date; end: Date } | undefined {
  if (!DAY_SHAPE.test(period.from) || !DAY_SHAPE.test(period.to)) return undefined;
  const from = DateTime.fromISO(period.from, { zone: timezone });
  const to = DateTime.fromISO(period.to, { zone: timezone });
  if (!from.isValid || !to.isValid || to < from) return undefined;
  return { start: from.startOf('day').toJSDate(), end: to.plus({ days: 1 }).startOf('day').toJSDate() };
}

/** This month so far, in the shop's time zone: the form's default period. */
export function thisMonth(now: Date, timezone: string): { from: string; to: string } {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  return { from: local.startOf('month').toISODate() ?? '', to: local.toISODate() ?? '' };
}

/** `customers-2026-12-01.csv` (the day it was made), `visits-2026-11-01-2026-11-30.csv` for a period. */
export function exportFileName(kind: ExportKind, period: ExportPeriod, now: Date, timezone: string): string {
  const made = DateTime.fromJSDate(now, { zone: timezone }).toISODate() ?? '';
  return period === 'all' ? `${kind}-${made}.csv` : `${kind}-${period.from}-${period.to}.csv`;
}
