import { DateTime } from 'luxon';

/** The inactive-customers policy's periods (program rules `privacy.retention.inactiveCustomers`). */
export interface InactivityRules {
  afterMonths: number;
  noticeDays: number;
}

/** What the policy does today about one customer, from the business days they were last seen and told. */
export type InactivityStep = { step: 'none' } | { step: 'notice'; eraseOn: string } | { step: 'erase' };

const plusDays = (day: string, days: number) => DateTime.fromISO(day).plus({ days }).toISODate() ?? day;

/**
 * A customer not seen (no message, no visit) for `afterMonths` is told once that their details
 * will be removed `noticeDays` later; if they are still not seen by then (being seen clears the
 * notice), they are erased. Days are yyyy-mm-dd business days, which compare as text.
 */
export function inactivityStep(
  seen: { lastSeenDay?: string | null; inactiveNoticeDay?: string | null },
  today: string,
  rules: InactivityRules,
): InactivityStep {
  if (!seen.lastSeenDay) return { step: 'none' };
  const inactiveUpTo = DateTime.fromISO(today).minus({ months: rules.afterMonths }).toISODate() ?? today;
  if (seen.lastSeenDay > inactiveUpTo) return { step: 'none' };
  if (!seen.inactiveNoticeDay) return { step: 'notice', eraseOn: plusDays(today, rules.noticeDays) };
  return today >= plusDays(seen.inactiveNoticeDay, rules.noticeDays) ? { step: 'erase' } : { step: 'none' };
}
