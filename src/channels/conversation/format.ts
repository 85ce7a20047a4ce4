import type { Voucher } from '../../db/models/voucher.js';
import type { Locale, Translate } from '../../i18n.js';
import type { ChatApp } from '../../domain/identity.js';
import type { Program, Reward } from '../../program/schema.js';
import { findTier, tierName } from '../../domain/loyalty.js';

/** App names are brands: the same in every language. */
export const appLabel: Record<ChatApp, string> = { telegram: 'Telegram', zalo: 'Zalo' };

/** A reward as the person reads it, in their language. */
export function rewardLabel(reward: Pick<Reward, 'label'>, locale: Locale): string {
  return reward.label[locale];
}

/** One voucher line: code, what it gives, until when. */
export function voucherLine(t: Translate, voucher: Voucher, locale: Locale): string {
  return t('bot:voucherLine', { code: voucher.code, reward: rewardLabel(voucher.reward, locale), expiresAt: voucher.expiresAt });
}

/** A tier's name in the reader's language, from the id a record or message holds (the key itself for a tier since removed). */
export function tierLabel(program: Program, tierId: string, locale: Locale): string {
  const tier = findTier(program.tiers, tierId);
  return tier ? tierName(tier, locale) : tierId;
}

/** The tier's name and perk, or the "no tier yet" wording. */
export function tierText(t: Translate, program: Program, tierId: string | undefined | null, locale: Locale): string {
  const tier = findTier(program.tiers, tierId);
  return tier ? t('bot:tierWithPerk', { tier: tierName(tier, locale), perk: tier.perk[locale] }) : t('bot:noTier');
}

const periodKeys = { today: 'bot:period.today', '7d': 'bot:period.7d', '30d': 'bot:period.30d' } as const;

/** "today", "last 7 days"... as the person reads it. */
export function periodText(t: Translate, period: keyof typeof periodKeys): string {
  return t(periodKeys[period]);
}

const fraudRules = [
  'same_phone_as_referrer',
  'same_staff_burst',
  'many_conversions_in_a_week',
  'many_joins_in_a_day',
  'staff_confirms_own_referral',
  'staff_redeems_own_voucher',
] as const;
const isFraudRule = (rule: string): rule is (typeof fraudRules)[number] => (fraudRules as readonly string[]).includes(rule);

/** What a fraud rule caught, in words. */
export function fraudRuleText(t: Translate, rule: string): string {
  return t(isFraudRule(rule) ? `fraud:rule.${rule}` : 'fraud:rule.other');
}

type Person = { name: string; code: string } | undefined;

/** A person on the review: name and code (the code alone when there is no name). */
export function personText(t: Translate, person: Person): string {
  return person ? t('fraud:person', { name: person.name || person.code, code: person.code }) : t('fraud:someone');
}

/**
 * Who a flag concerns and why it fired, one line each: the referrer-friend pair (or the one
 * customer) and the evidence the rule recorded, for the chat review and the dashboard alike.
 */
export function fraudReviewLines(
  t: Translate,
  flag: { rule: string; details?: unknown; referrer?: Person; friend?: Person; staff?: Person; customer?: Person },
): string[] {
  const details = (flag.details ?? {}) as Record<string, unknown>;
  const lines =
    flag.referrer && flag.friend
      ? [t('fraud:pair', { referrer: personText(t, flag.referrer), friend: personText(t, flag.friend) })]
      : [t('fraud:customer', { person: personText(t, flag.customer ?? flag.referrer) })];
  const phone = typeof details.phone === 'string' ? details.phone : '';
  const evidence: Record<string, string | undefined> = {
    same_phone_as_referrer: phone ? t('fraud:evidence.same_phone_as_referrer', { last3: phone.slice(-3) }) : undefined,
    same_staff_burst: t('fraud:evidence.same_staff_burst', {
      staff: personText(t, flag.staff),
      friends: details.friends,
      minutes: details.minutes,
      limit: details.limit,
    }),
    many_conversions_in_a_week: t('fraud:evidence.many_conversions_in_a_week', { friends: details.friends, limit: details.limit }),
    many_joins_in_a_day:
      details.limit === undefined ? undefined : t('fraud:evidence.many_joins_in_a_day', { joins: details.joinsToday, limit: details.limit }),
    staff_confirms_own_referral: flag.staff ? t('fraud:evidence.staff_confirms_own_referral', { staff: personText(t, flag.staff) }) : undefined,
    staff_redeems_own_voucher: typeof details.code === 'string' ? t('fraud:evidence.staff_redeems_own_voucher', { code: details.code }) : undefined,
  };
  const because = evidence[flag.rule];
  return because ? [...lines, because] : lines;
}
