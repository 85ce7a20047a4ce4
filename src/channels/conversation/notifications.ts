import type { Customer } from '../../db/models/customer.js';
import type { Notification } from '../../db/models/notification.js';
import type { Translate } from '../../i18n.js';
import type { Program, Reward } from '../../program/schema.js';
import type { ChatApp } from '../../services/identity-link.js';
import type { DailySummary } from '../../services/reports.js';
import { appLabel, rewardLabel } from './format.js';
import { renderDailySummary } from './summary.js';

interface NotificationData {
  voucherCode?: string;
  cause?: 'referral_referrer' | 'referral_friend' | 'milestone';
  reward?: Reward;
  expiresAt?: Date;
  friendName?: string;
  referrerName?: string;
  friends?: number;
  tier?: string;
  points?: number;
  summary?: DailySummary;
  staffName?: string;
  staffCode?: string;
  /** The app of the account a chat was linked to or unlinked from, and that account's name. */
  accountApp?: ChatApp;
  accountName?: string;
  phoneEnd?: string;
  /** Friends in a join digest, counted at send time. */
  count?: number;
  /** A referral reversed after review: whose side, the vouchers cancelled, the points taken back. */
  side?: 'referrer' | 'friend';
  vouchers?: string[];
}

/**
 * The text a person receives for a recorded notification, in their language at send
 * time. Returns undefined for a notification with nothing left to say.
 */
export function renderNotification(
  notification: Pick<Notification, 'type' | 'data'>,
  recipient: Customer,
  t: Translate,
  program: Program,
): string | undefined {
  const locale = recipient.locale;
  const data = (notification.data ?? {}) as NotificationData;
  const friend = data.friendName || t('bot:aFriend');
  switch (notification.type) {
    case 'reward_issued': {
      if (!data.reward) return undefined;
      const reward = rewardLabel(data.reward, locale);
      const key =
        data.cause === 'referral_friend'
          ? 'notify:rewardFriend'
          : data.cause === 'milestone'
            ? 'notify:rewardMilestone'
            : 'notify:rewardReferrer';
      return t(key, {
        reward,
        code: data.voucherCode,
        expiresAt: data.expiresAt ? new Date(data.expiresAt) : undefined,
        friend,
        referrer: data.referrerName || t('bot:aFriend'),
        friends: data.friends,
        business: program.business.name,
      });
    }
    case 'friend_joined':
      return t('notify:friendJoined', { friend });
    case 'friends_joined_digest':
      return data.count ? t('fraud:friendsJoinedDigest', { count: data.count }) : undefined;
    case 'referral_reversed': {
      const details = [
        data.vouchers?.length ? t('fraud:reversedVouchers', { codes: data.vouchers.join(', ') }) : undefined,
        data.points ? t('fraud:reversedPoints', { points: data.points }) : undefined,
      ].filter((part): part is string => !!part);
      if (details.length === 0) return undefined;
      const business = program.business.name;
      return data.side === 'friend'
        ? t('fraud:reversedFriend', { business, referrer: data.referrerName || t('bot:aFriend'), details: details.join(t('fraud:and')) })
        : t('fraud:reversedReferrer', { business, friend, details: details.join(t('fraud:and')) });
    }
    case 'friend_visit_confirmed':
      return t('notify:friendVisitConfirmed', { friend });
    case 'tier_upgraded': {
      const tier = program.tiers.find((candidate) => candidate.name === data.tier);
      if (!tier) return undefined;
      return t('notify:tierUpgraded', { tier: tier.name, perk: tier.perk[locale], points: data.points, business: program.business.name });
    }
    case 'milestone_reached':
      return t('notify:milestoneReached', { friends: data.friends, reward: data.reward ? rewardLabel(data.reward, locale) : '' });
    case 'staff_added':
      return `${t('notify:staffAdded', { business: program.business.name })}\n\n${t('bot:helpStaff')}`;
    case 'staff_removed':
      return t('notify:staffRemoved', { business: program.business.name });
    case 'staff_joined':
      return t('notify:staffJoined', { name: data.staffName || data.staffCode, code: data.staffCode });
    case 'visit_reminder':
      return t('notify:visitReminder', { business: program.business.name, reward: rewardLabel(program.rewards.friend, locale) });
    case 'voucher_expiry_reminder':
      return data.reward
        ? t('notify:voucherExpiry', { code: data.voucherCode, reward: rewardLabel(data.reward, locale), expiresAt: data.expiresAt ? new Date(data.expiresAt) : undefined })
        : undefined;
    case 'phone_removed':
      return t('card:phoneRemoved', { end: data.phoneEnd });
    case 'daily_summary':
      return data.summary ? renderDailySummary(t, data.summary, program.business.name) : undefined;
    case 'app_linked':
      return data.accountApp ? t('connect:notify.linked', { app: appLabel[data.accountApp], name: data.accountName || recipient.name || recipient.code }) : undefined;
    case 'app_link_declined':
      return data.accountApp ? t('connect:notify.declined', { app: appLabel[data.accountApp] }) : undefined;
    case 'app_unlinked':
      return data.accountApp ? t('connect:notify.unlinked', { app: appLabel[data.accountApp] }) : undefined;
  }
}
