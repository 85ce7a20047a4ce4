import { DateTime } from 'luxon';
import type { Milestone, Program, Tier } from '../program/schema.js';

/** The tier a points total earns: rank 0 (no tier yet) or 1..n in the program's order. */
export function tierForPoints(points: number, tiers: readonly Tier[]): { rank: number; tier: Tier | undefined } {
  let rank = 0;
  tiers.forEach((tier, i) => {
    if (points >= tier.minPoints) rank = i + 1;
  });
  return { rank, tier: tiers[rank - 1] };
}

/** A tier's name in the reader's language. */
export const tierName = (tier: Tier, locale: 'vi' | 'en'): string => tier.name[locale];

/**
 * The tier a customer record or a message names: by id, or by the single name records and
 * messages from before tier ids held (the id an older rules file's name was given, or the name).
 */
export function findTier(tiers: readonly Tier[], key: string | undefined | null): Tier | undefined {
  if (!key) return undefined;
  return tiers.find((tier) => tier.id === key) ?? tiers.find((tier) => tier.name.en === key || tier.name.vi === key);
}

/** The next tier to reach and the points still missing, or undefined at the top tier. */
export function nextTier(points: number, tiers: readonly Tier[]): { tier: Tier; pointsToGo: number } | undefined {
  const tier = tiers.find((t) => t.minPoints > points);
  return tier ? { tier, pointsToGo: tier.minPoints - points } : undefined;
}

/** Points for one visit: the fixed amount plus, when configured, points for money spent. */
export function pointsForVisit(amount: number | undefined, rules: Program['points']): number {
  const forAmount = rules.perAmount && amount ? Math.floor(amount / rules.perAmount.amount) * rules.perAmount.points : 0;
  return rules.perVisit + forAmount;
}

/** Milestones reached with `confirmedFriends` friends (every one at or below the count). */
export function milestonesReached(confirmedFriends: number, milestones: readonly Milestone[]): Milestone[] {
  return milestones.filter((m) => m.friends <= confirmedFriends);
}

/** The next milestone still ahead, with how many more friends it takes. */
export function nextMilestone(confirmedFriends: number, milestones: readonly Milestone[]): { milestone: Milestone; friendsToGo: number } | undefined {
  const milestone = milestones.find((m) => m.friends > confirmedFriends);
  return milestone ? { milestone, friendsToGo: milestone.friends - confirmedFriends } : undefined;
}

/**
 * A voucher issued at `issuedAt` is valid until the end of the business day
 * `validityDays` later, in the business time zone (what a receptionist would expect).
 */
export function voucherExpiry(issuedAt: Date, validityDays: number, timezone: string): Date {
  return DateTime.fromJSDate(issuedAt, { zone: timezone }).plus({ days: validityDays }).endOf('day').toJSDate();
}

/** True when a friend who joined at `joinedAt` still counts as referred at `visitAt`. */
export function withinAttributionWindow(joinedAt: Date, visitAt: Date, windowDays: number): boolean {
  return visitAt.getTime() - joinedAt.getTime() <= windowDays * 24 * 3600 * 1000;
}

/** The start of the business day containing `at`, in the business time zone. */
export function startOfBusinessDay(at: Date, timezone: string): Date {
  return DateTime.fromJSDate(at, { zone: timezone }).startOf('day').toJSDate();
}
