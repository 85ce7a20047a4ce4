import type { Locale, Translate } from '../../i18n.js';
import type { Commission, Program, Reward } from '../../program/schema.js';
import { friendRewardOf, planOf } from '../../domain/partners.js';

/** What the partner program's notifications carry (see services/partners.ts and visits.ts). */
export interface PartnerNoticeData {
  planId?: string;
  partnerName?: string;
  partnerCode?: string;
  friendName?: string;
}

export type PartnerNotice = 'partner_added' | 'partner_ended' | 'partner_joined' | 'partner_friend_visited';

/** A plan's commission in words: "10% of what they spend in their first 90 days" or "50.000 ₫ per first visit". */
export function commissionText(t: Translate, commission: Commission): string {
  return commission.kind === 'revenue_share'
    ? t('partners:commission.revenueShare', { percent: commission.percent, days: commission.days })
    : t('partners:commission.firstVisit', { amount: commission.amount });
}

/** A plan by its id (the first plan for one since removed): its name and commission. */
export function planText(t: Translate, locale: Locale, program: Program, planId: string | undefined): string {
  const current = planOf(program.partners.plans, planId ?? '');
  return current ? t('partners:planLine', { plan: current.plan.name[locale], commission: commissionText(t, current.plan.commission) }) : '';
}

/** The offer a partner plan's friends get (the usual friend reward without a plan or a welcome of its own). */
export function partnerWelcome(program: Program, planId: string | undefined): Reward {
  return friendRewardOf(program, planId ? planOf(program.partners.plans, planId)?.plan : undefined);
}

/** The one message about a partner event, in the reader's language. */
export function renderPartnerNotice(t: Translate, locale: Locale, program: Program, type: PartnerNotice, data: PartnerNoticeData): string {
  const business = program.business.name;
  switch (type) {
    case 'partner_added':
      return t('partners:notify.added', { business, plan: planText(t, locale, program, data.planId) });
    case 'partner_ended':
      return t('partners:notify.ended', { business });
    case 'partner_joined':
      return t('partners:notify.joined', {
        name: data.partnerName || data.partnerCode,
        code: data.partnerCode,
        plan: planText(t, locale, program, data.planId),
      });
    case 'partner_friend_visited':
      return t('partners:notify.friendVisited', { friend: data.friendName || t('bot:aFriend'), business });
  }
}
