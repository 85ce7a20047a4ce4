import type { Voucher } from '../../db/models/voucher.js';
import type { Locale, Translate } from '../../i18n.js';
import type { Program, Reward } from '../../program/schema.js';

/** A reward as the person reads it, in their language. */
export function rewardLabel(reward: Pick<Reward, 'label'>, locale: Locale): string {
  return reward.label[locale];
}

/** One voucher line: code, what it gives, until when. */
export function voucherLine(t: Translate, voucher: Voucher, locale: Locale): string {
  return t('bot:voucherLine', { code: voucher.code, reward: rewardLabel(voucher.reward, locale), expiresAt: voucher.expiresAt });
}

/** The tier's name and perk, or the "no tier yet" wording. */
export function tierText(t: Translate, program: Program, tierName: string | undefined | null, locale: Locale): string {
  const tier = program.tiers.find((candidate) => candidate.name === tierName);
  return tier ? t('bot:tierWithPerk', { tier: tier.name, perk: tier.perk[locale] }) : t('bot:noTier');
}

const periodKeys = { today: 'bot:period.today', '7d': 'bot:period.7d', '30d': 'bot:period.30d' } as const;

/** "today", "last 7 days"... as the person reads it. */
export function periodText(t: Translate, period: keyof typeof periodKeys): string {
  return t(periodKeys[period]);
}

const fraudRuleKeys: Record<string, string> = {
  same_phone_as_referrer: 'bot:fraudRule.same_phone_as_referrer',
  many_joins_in_a_day: 'bot:fraudRule.many_joins_in_a_day',
  staff_confirms_own_referral: 'bot:fraudRule.staff_confirms_own_referral',
  staff_redeems_own_voucher: 'bot:fraudRule.staff_redeems_own_voucher',
};

/** What a fraud rule caught, in words. */
export function fraudRuleText(t: Translate, rule: string): string {
  return t(fraudRuleKeys[rule] ?? 'bot:fraudRule.other');
}
