/**
 * Fraud rules on given facts. Each returns the rules that fire; the service records a
 * flag per rule for the owner's review queue. None of them blocks the action by itself,
 * except where the service says so (staff acting on their own account).
 */
export type FraudRule = 'same_phone_as_referrer' | 'many_joins_in_a_day' | 'staff_confirms_own_referral';

export function checkReferralConversion(facts: {
  friendPhone?: string | null;
  referrerPhone?: string | null;
  referrerId: string;
  staffId: string;
}): FraudRule[] {
  const rules: FraudRule[] = [];
  if (facts.friendPhone && facts.friendPhone === facts.referrerPhone) rules.push('same_phone_as_referrer');
  if (facts.staffId === facts.referrerId) rules.push('staff_confirms_own_referral');
  return rules;
}

export function checkJoinVolume(joinsToday: number, maxPerDay: number): FraudRule[] {
  return joinsToday > maxPerDay ? ['many_joins_in_a_day'] : [];
}
