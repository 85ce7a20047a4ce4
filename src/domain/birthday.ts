import { DateTime } from 'luxon';

/** A birthday as the customer gave it: the year is optional. */
export interface Birthday {
  day: number;
  month: number;
  year?: number;
}

export type BirthdayParse = { ok: true; birthday: Birthday } | { ok: false; reason: 'format' | 'not_a_date' | 'future' | 'too_old' };

/** Older than this is a typing mistake, not a customer. */
export const MAX_AGE_YEARS = 120;
/** A birthday may be changed once this many days after it was last set. */
export const BIRTHDAY_CHANGE_DAYS = 365;
/** A birthday entered less than this many days before the date is not rewarded that year (no "it's my birthday today" vouchers). */
export const BIRTHDAY_LATE_ENTRY_DAYS = 30;

const PATTERN = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$/;
/** A leap year, so that 29/02 without a year is a real date. */
const ANY_LEAP_YEAR = 2000;

/**
 * `dd/mm` or `dd/mm/yyyy` (also with `.` or `-`), checked as a real date: 31/02 is refused,
 * 29/02 accepted (with a year, only in a leap year). A year in the future, or more than
 * MAX_AGE_YEARS ago, is refused. `today` is the shop's local date.
 */
export function parseBirthday(text: string, today: DateTime): BirthdayParse {
  const match = PATTERN.exec(text.trim());
  if (!match) return { ok: false, reason: 'format' };
  const [day, month] = [Number(match[1]), Number(match[2])];
  const year = match[3] === undefined ? undefined : Number(match[3]);
  const date = DateTime.fromObject({ year: year ?? ANY_LEAP_YEAR, month, day }, { zone: today.zone });
  if (!date.isValid) return { ok: false, reason: 'not_a_date' };
  if (year !== undefined) {
    if (date.startOf('day') > today.startOf('day')) return { ok: false, reason: 'future' };
    if (date < today.startOf('day').minus({ years: MAX_AGE_YEARS })) return { ok: false, reason: 'too_old' };
  }
  return { ok: true, birthday: year === undefined ? { day, month } : { day, month, year } };
}

const isLeap = (year: number) => DateTime.fromObject({ year }).isInLeapYear;

/** The day the birthday is celebrated in `year`: 29/02 falls on 28/02 in a year without one. */
export function celebrationDay(birthday: Birthday, year: number): { year: number; month: number; day: number } {
  if (birthday.month === 2 && birthday.day === 29 && !isLeap(year)) return { year, month: 2, day: 28 };
  return { year, month: birthday.month, day: birthday.day };
}

/** The key (mm-dd) a birthday is stored and found under. */
export function birthdayKey(birthday: Pick<Birthday, 'day' | 'month'>): string {
  return `${String(birthday.month).padStart(2, '0')}-${String(birthday.day).padStart(2, '0')}`;
}

/** The stored keys of the birthdays celebrated on this local date: 28/02 of a year without 29/02 also celebrates 29/02. */
export function keysCelebratedOn(date: DateTime): string[] {
  const keys = [birthdayKey({ day: date.day, month: date.month })];
  if (date.month === 2 && date.day === 28 && !date.isInLeapYear) keys.push('02-29');
  return keys;
}

/** When a birthday set at `setAt` may be changed again. */
export function nextBirthdayChange(setAt: Date): Date {
  return new Date(setAt.getTime() + BIRTHDAY_CHANGE_DAYS * 24 * 3600_000);
}

/** True when a birthday set at `setAt` earns the reward of the celebration starting at `celebration` (local start of that day). */
export function rewardableBirthday(setAt: Date, celebration: DateTime): boolean {
  return DateTime.fromJSDate(setAt) <= celebration.minus({ days: BIRTHDAY_LATE_ENTRY_DAYS });
}

/** The birthday stored on a customer record, when there is one. */
export function storedBirthday(record: { birthDay?: number | null; birthMonth?: number | null; birthYear?: number | null }): Birthday | undefined {
  if (!record.birthDay || !record.birthMonth) return undefined;
  return record.birthYear
    ? { day: record.birthDay, month: record.birthMonth, year: record.birthYear }
    : { day: record.birthDay, month: record.birthMonth };
}

/** Two birthdays name the same date. */
export const sameBirthday = (a: Birthday, b: Birthday) => a.day === b.day && a.month === b.month && a.year === b.year;
