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
