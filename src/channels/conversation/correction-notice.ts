import type { Locale, Translate } from '../../i18n.js';
import type { Program, Reward } from '../../program/schema.js';
import { rewardLabel } from './format.js';
import { findTier, tierName } from '../../domain/loyalty.js';

/** What a `correction` notification carries (see services/corrections.ts and adjustments.ts). */
export interface CorrectionData {
  kind?: 'visit_undone' | 'referral_undone' | 'points_adjusted' | 'voucher_cancelled';
  at?: Date;
  points?: number;
  delta?: number;
  balance?: number;
  vouchers?: string[];
  voucherCode?: string;
  reward?: Reward;
  reason?: string;
  friendName?: string;
  tier?: string;
  tierLowered?: boolean;
  tierRaised?: boolean;
}

/** The one message a customer receives about a correction: what changed, and their tier when it changed. */
export function renderCorrection(t: Translate, locale: Locale, program: Program, data: CorrectionData): string | undefined {
  const business = program.business.name;
  const tier = findTier(program.tiers, data.tier);
  const tierLine = data.tierRaised
    ? tier && t('notify:tierUpgraded', { tier: tierName(tier, locale), perk: tier.perk[locale], points: data.balance, business })
    : data.tierLowered
      ? tier
        ? t('corrections:notify.tierNow', { tier: tierName(tier, locale) })
        : t('corrections:notify.noTierNow')
      : undefined;
  const details = [
    data.points ? t('corrections:notify.pointsTaken', { points: data.points }) : undefined,
    data.vouchers?.length ? t('corrections:notify.vouchers', { codes: data.vouchers.join(', ') }) : undefined,
  ].filter((part): part is string => !!part);
  const joined = details.join(t('corrections:notify.and'));
  let headline: string | undefined;
  switch (data.kind) {
    case 'visit_undone':
      headline = t('corrections:notify.visitUndone', {
        business,
        at: data.at ? new Date(data.at) : undefined,
        details: joined || t('corrections:notify.visitUndoneNothing'),
        balance: data.balance,
      });
      break;
    case 'referral_undone':
      headline = joined
        ? t('corrections:notify.referralUndone', { business, friend: data.friendName || t('bot:aFriend'), details: joined })
        : undefined;
      break;
    case 'points_adjusted': {
      const key = (data.delta ?? 0) > 0 ? 'corrections:notify.pointsAdded' : 'corrections:notify.pointsRemoved';
      headline = data.delta ? t(key, { business, points: Math.abs(data.delta), reason: data.reason, balance: data.balance }) : undefined;
      break;
    }
    case 'voucher_cancelled':
      headline = data.reward
        ? t('corrections:notify.voucherCancelled', {
            business,
            code: data.voucherCode,
            reward: rewardLabel(data.reward, locale),
            reason: data.reason,
          })
        : undefined;
      break;
  }
  return headline && [headline, tierLine].filter(Boolean).join('\n');
}
