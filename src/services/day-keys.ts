import { businessDay } from '../domain/schedule.js';
import type { Tickets } from './tickets.js';

/** The setting that holds, per time zone, the first business day whose records all carry day keys. */
export const keyedSinceSetting = (timezone: string) => `day-keys:since:${timezone}`;

/**
 * Which business days the reports may count by their day keys. Every writer sets a record's
 * day key from the same instant as its stamp, so from the first day the app ran with them,
 * in this time zone, every counted record of a day has its key; records stamped before carry
 * none and are never needed by key. That first day is the day after the first start (what
 * was stamped earlier that day has no key), stored once for every process to read alike;
 * a new time zone starts its own. Days before it are counted by range, and their rollups are
 * built once, so no old record is rewritten.
 */
export function createDayKeys(ctx: { tickets: Tickets; timezone: string; now: () => Date }) {
  const { tickets, timezone, now } = ctx;
  let since: Promise<string> | undefined;

  function keyedSince(): Promise<string> {
    since ??= tickets.permanent(keyedSinceSetting(timezone), () => businessDay(businessDay(now(), timezone).end, timezone).date);
    // A failed read (database away) is tried again next time.
    void since.catch(() => (since = undefined));
    return since;
  }

  /** True when the business day `date` (yyyy-mm-dd) can be counted by its day keys. */
  async function keyed(date: string): Promise<boolean> {
    return date >= (await keyedSince());
  }

  return { keyed, keyedSince };
}

export type DayKeys = ReturnType<typeof createDayKeys>;
