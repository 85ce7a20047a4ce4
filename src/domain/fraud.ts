import { maskPhone } from './phone.js';
/**
 * Fraud rules on given facts. Each returns the rules that fire with their evidence; the
 * service records a flag per rule and cause for the owner's review queue. None of them
 * blocks the action by itself: the owner decides (confirming reverses the rewards).
 */
export type FraudRule =
  | 'same_phone_as_referrer'
  | 'same_staff_burst'
  | 'many_conversions_in_a_week'
  | 'many_joins_in_a_day'
  | 'staff_confirms_own_referral'
  | 'staff_redeems_own_voucher';

export interface FraudFinding {
  rule: FraudRule;
  /** What made the rule fire, for the owner's review (numbers and thresholds). */
  evidence: Record<string, string | number>;
}

export interface ConversionLimits {
  sameStaffBurst: { friends: number; minutes: number };
  maxConversionsPerReferrerPerWeek: number;
}

export interface ConversionFacts {
  referrerId: string;
  staffId: string;
  /** The friend's current phone number, when the platform verified it is theirs. */
  friendVerifiedPhone?: string | null;
  /** Every number that was ever on the referrer's account, typed or verified. */
  referrerPhones: readonly string[];
  /** Friends of this referrer this staff member confirmed within the burst window, this one included. */
  confirmedBySameStaffRecently: number;
  /** Friends of this referrer converted in the last 7 days, this one included. */
  conversionsThisWeek: number;
}

/**
 * The rules on a friend's first visit converting a referral. A verified number cannot be
 * on two accounts at once, so the phone rule asks whether it was *ever* the referrer's:
 * a second account made with a number that moved off the first one.
 */
export function checkReferralConversion(facts: ConversionFacts, limits: ConversionLimits): FraudFinding[] {
  const findings: FraudFinding[] = [];
  const phone = facts.friendVerifiedPhone;
  // The review shows the number masked, so the flag keeps it masked (the customer's record has it).
  if (phone && facts.referrerPhones.includes(phone)) findings.push({ rule: 'same_phone_as_referrer', evidence: { phone: maskPhone(phone) } });
  if (facts.staffId === facts.referrerId) findings.push({ rule: 'staff_confirms_own_referral', evidence: {} });
  if (facts.confirmedBySameStaffRecently >= limits.sameStaffBurst.friends) {
    findings.push({
      rule: 'same_staff_burst',
      evidence: { friends: facts.confirmedBySameStaffRecently, minutes: limits.sameStaffBurst.minutes, limit: limits.sameStaffBurst.friends },
    });
  }
  if (facts.conversionsThisWeek > limits.maxConversionsPerReferrerPerWeek) {
    findings.push({
      rule: 'many_conversions_in_a_week',
      evidence: { friends: facts.conversionsThisWeek, limit: limits.maxConversionsPerReferrerPerWeek },
    });
  }
  return findings;
}

export function checkJoinVolume(joinsToday: number, maxPerDay: number): FraudRule[] {
  return joinsToday > maxPerDay ? ['many_joins_in_a_day'] : [];
}

/** Whether a first visit of this amount releases the referral rewards (`minimum` null: any visit does). */
export function meetsFirstVisitMinimum(amount: number | null | undefined, minimum: number | null): boolean {
  return minimum === null || (typeof amount === 'number' && amount >= minimum);
}
