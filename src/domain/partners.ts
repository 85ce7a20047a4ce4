import type { PartnerPlan, Program, Reward } from '../program/schema.js';
import { dayKey } from './schedule.js';

/**
 * A partner's plan as the rules stand now. A plan the owner since removed from the rules falls
 * back to the first plan (`fallback: true`, said in /partner list), so a partner keeps earning
 * under the shop's main terms until the owner gives them another; no plans at all: undefined.
 */
export function planOf(plans: readonly PartnerPlan[], planId: string): { plan: PartnerPlan; fallback: boolean } | undefined {
  const plan = plans.find((candidate) => candidate.id === planId);
  if (plan) return { plan, fallback: false };
  const first = plans[0];
  return first ? { plan: first, fallback: true } : undefined;
}

/** What a friend gets at their first visit: the partner plan's own welcome offer, or the usual friend reward. */
export function friendRewardOf(program: Pick<Program, 'rewards'>, plan: PartnerPlan | undefined): Reward {
  return plan?.welcome ?? program.rewards.friend;
}

/** The business month (`YYYY-MM`) of a moment in the shop's time zone. */
export function monthOf(at: Date, timezone: string): string {
  return dayKey(at, timezone).slice(0, 7);
}

/** The month before a `YYYY-MM` month. */
export function monthBefore(month: string): string {
  const [year = 0, number = 1] = month.split('-').map(Number);
  return number === 1 ? `${year - 1}-12` : `${year}-${String(number - 1).padStart(2, '0')}`;
}

/** A month as an owner types it, `YYYY-MM` or `MM/YYYY` (`M/YYYY` too), as `YYYY-MM`; undefined if it is neither. */
export function parseMonth(text: string): string | undefined {
  const match = /^(\d{4})-(\d{1,2})$/.exec(text) ?? /^(\d{1,2})\/(\d{4})$/.exec(text);
  if (!match) return undefined;
  const [year, month] = text.includes('/') ? [match[2], match[1]] : [match[1], match[2]];
  const number = Number(month);
  return number >= 1 && number <= 12 ? `${year}-${String(number).padStart(2, '0')}` : undefined;
}
