import { DateTime } from 'luxon';
import type { CatalogueItem, Program } from '../program/schema.js';
import { nextTier } from './loyalty.js';

/** The two figures a ledger gives: lifetime points (tiers) and the points balance (what can be spent). */
export interface PointsTotals {
  points: number;
  balance: number;
}

/** Sums ledger entries: every delta changes the balance; only earned ones (absent counts as earned) the lifetime points. */
export function ledgerTotals(entries: ReadonlyArray<{ delta: number; earned?: boolean | null }>): PointsTotals {
  let points = 0;
  let balance = 0;
  for (const entry of entries) {
    balance += entry.delta;
    if (entry.earned !== false) points += entry.delta;
  }
  return { points, balance };
}

/** A stored balance, or the lifetime points for a record from before the wallet (it had only earned entries). */
export function balanceOf(customer: { points?: number | null; balance?: number | null }): number {
  return customer.balance ?? customer.points ?? 0;
}

/** The catalogue item with this number. */
export function catalogueItem(catalogue: readonly CatalogueItem[], number: number): CatalogueItem | undefined {
  return catalogue.find((item) => item.number === number);
}

/** The catalogue in price order (cheapest first), each marked with whether `balance` affords it. */
export function catalogueFor(catalogue: readonly CatalogueItem[], balance: number): Array<{ item: CatalogueItem; affordable: boolean }> {
  return [...catalogue].sort((a, b) => a.price - b.price).map((item) => ({ item, affordable: item.price <= balance }));
}

/** The cheapest item the balance does not reach yet, with the points still missing. */
export function nextCatalogueItem(catalogue: readonly CatalogueItem[], balance: number): { item: CatalogueItem; pointsToGo: number } | undefined {
  const next = catalogueFor(catalogue, balance).find((entry) => !entry.affordable)?.item;
  return next ? { item: next, pointsToGo: next.price - balance } : undefined;
}

/** Items a balance rise from `before` to `after` made affordable. */
export function newlyAffordable(catalogue: readonly CatalogueItem[], before: number, after: number): CatalogueItem[] {
  return catalogueFor(catalogue, after)
    .filter(({ item }) => item.price <= after && item.price > before)
    .map(({ item }) => item);
}

/**
 * When a balance last changed at `lastChange` expires under the rules, and when its reminder
 * is due; undefined when expiry is off.
 */
export function pointsExpiryDates(
  rules: Program['pointsExpiry'],
  lastChange: Date,
  timezone: string,
): { expiresAt: Date; remindAt: Date } | undefined {
  if (!rules.enabled) return undefined;
  const expiresAt = DateTime.fromJSDate(lastChange, { zone: timezone }).plus({ months: rules.months }).endOf('day');
  return { expiresAt: expiresAt.toJSDate(), remindAt: expiresAt.minus({ days: rules.reminderDays }).startOf('day').toJSDate() };
}

/**
 * A visit's points as its visitor reads them: earned, the balance after, the next tier (by
 * lifetime points) and the catalogue items (numbers) the visit made affordable.
 */
export interface VisitReceipt {
  earned: number;
  balance: number;
  nextTier?: string;
  toNextTier?: number;
  unlocked?: number[];
}

export function visitReceipt(earned: number, totals: PointsTotals, program: Pick<Program, 'tiers' | 'catalogue'>): VisitReceipt {
  const next = nextTier(totals.points, program.tiers);
  const unlocked = newlyAffordable(program.catalogue, totals.balance - earned, totals.balance).map((item) => item.number);
  return {
    earned,
    balance: totals.balance,
    ...(next ? { nextTier: next.tier.id, toNextTier: next.pointsToGo } : {}),
    ...(unlocked.length > 0 ? { unlocked } : {}),
  };
}
