import type { Customer } from '../../db/models/customer.js';
import type { Notification } from '../../db/models/notification.js';
import type { I18n, Locale, Translate } from '../../i18n.js';
import type { Program, Reward } from '../../program/schema.js';
import type { ChatApp } from '../../services/identity-link.js';
import type {
  GivenReward,
  NotificationRenderer,
  ReferralConvertedData,
  TierReached,
  TierUpgradedData,
  VisitReceipt,
  VisitReceiptData,
  WelcomeRewardData,
} from '../../services/ports.js';
import type { MembershipNoticeData } from '../../services/memberships.js';
import type { DailySummary } from '../../services/reports.js';
import { renderAnnouncement, type AnnouncementNoticeData } from './announcement-notice.js';
import { renderPartnerPaid, renderPartnerStatement, renderProgramClose, type CommissionNoticeData } from './commission-notice.js';
import { renderCorrection, type CorrectionData } from './correction-notice.js';
import { renderReviewNotice } from './review-notice.js';
import { partnerWelcome, renderPartnerNotice, type PartnerNoticeData } from './partner-notice.js';
import { appLabel, rewardLabel, tierLabel } from './format.js';
import type { Registry } from './registry.js';
import { renderDailySummary } from './summary.js';
import { findTier, tierName } from '../../domain/loyalty.js';

interface NotificationData {
  voucherCode?: string;
  /** Legacy `reward_issued` only: which side of which event the voucher was for. */
  cause?: 'referral_referrer' | 'referral_friend' | 'milestone';
  friends?: number;
  reward?: Reward;
  expiresAt?: Date;
  friendName?: string;
  referrerName?: string;
  points?: number;
  summary?: DailySummary;
  staffName?: string;
  staffCode?: string;
  /** The app of the account a chat was linked to or unlinked from, and that account's name. */
  accountApp?: ChatApp;
  accountName?: string;
  phoneEnd?: string;
  /** The inactivity notice: the business day the details will be removed (yyyy-mm-dd). */
  eraseOn?: string;
  /** Friends in a join digest, counted at send time. */
  count?: number;
  /** A referral reversed after review: whose side, the vouchers cancelled, the points taken back. */
  side?: 'referrer' | 'friend';
  vouchers?: string[];
  /** A points expiry reminder: the balance and when it expires. */
  balance?: number;
  /** A partner's friend's visit reminder: the partner plan (its welcome offer). */
  planId?: string;
  /** A join told to a partner (who earns commission, not the referral reward). */
  partner?: boolean;
}

interface Rendering {
  t: Translate;
  locale: Locale;
  program: Program;
  /** Where a new staff member's command list comes from (the commands' own declarations). */
  registry?: Pick<Registry, 'section'>;
}

const expiry = (given: GivenReward) => new Date(given.expiresAt);
/** A bonus-points reward is credited at once: the message says how many points, not a code. */
const bonusPoints = (given: GivenReward) => (given.reward.kind === 'bonus_points' ? (given.reward.value ?? 0) : undefined);

/** A tier the event announces: the whole message after a plain visit, the closing line of the others. */
function tierUpgraded({ t, locale, program }: Rendering, data: TierReached): string | undefined {
  const tier = findTier(program.tiers, data.tier);
  return (
    tier && t('notify:tierUpgraded', { tier: tierName(tier, locale), perk: tier.perk[locale], points: data.points, business: program.business.name })
  );
}

const lines = (...parts: Array<string | undefined>) => parts.filter((part): part is string => !!part).join('\n');

/** A visit's points: earned, balance, the next tier, and each catalogue item the visit made affordable. */
function visitReceipt({ t, locale, program }: Rendering, receipt: VisitReceipt | undefined): string | undefined {
  if (!receipt) return undefined;
  const figures = { business: program.business.name, earned: receipt.earned, balance: receipt.balance };
  const headline =
    receipt.nextTier && receipt.toNextTier !== undefined
      ? t('wallet:receipt', { ...figures, toGo: receipt.toNextTier, tier: tierLabel(program, receipt.nextTier, locale) })
      : t('wallet:receiptTopTier', figures);
  const unlocked = (receipt.unlocked ?? []).flatMap((number) => {
    const item = program.catalogue.find((candidate) => candidate.number === number);
    return item ? [t('wallet:unlocked', { number, reward: rewardLabel(item.reward, locale), price: item.price })] : [];
  });
  return lines(headline, ...unlocked);
}

/** To the referrer: the friend came, their reward, any milestone gifts, a tier reached. */
function referralConverted(r: Rendering, data: ReferralConvertedData): string | undefined {
  const { t, locale, program } = r;
  if (!data.reward) return undefined;
  const friend = data.friendName || t('bot:aFriend');
  const business = program.business.name;
  const bonus = bonusPoints(data);
  const headline =
    bonus === undefined
      ? t('notify:referrerVoucher', { friend, business, reward: rewardLabel(data.reward, locale), code: data.voucherCode, expiresAt: expiry(data) })
      : t('notify:referrerBonus', { friend, business, points: bonus });
  return lines(headline, ...(data.milestones ?? []).map((gift) => milestoneGift(r, gift)), tierUpgraded(r, data));
}

/** One milestone gift: its voucher, or the bonus points it credited. */
function milestoneGift({ t, locale }: Rendering, gift: GivenReward & { friends: number }): string {
  const points = bonusPoints(gift);
  return points === undefined
    ? t('notify:milestoneVoucher', {
        friends: gift.friends,
        reward: rewardLabel(gift.reward, locale),
        code: gift.voucherCode,
        expiresAt: expiry(gift),
      })
    : t('notify:milestoneBonus', { friends: gift.friends, points });
}

/**
 * A `reward_issued` recorded before one message per event and still owed: it reads as its
 * event's message. Its companions (`friend_visit_confirmed`, `milestone_reached`) only said
 * again what this one says, so they have nothing left to send.
 */
function legacyReward(r: Rendering, data: NotificationData): string | undefined {
  if (!data.reward || !data.voucherCode || !data.expiresAt) return undefined;
  const given: GivenReward = { reward: data.reward, voucherCode: data.voucherCode, expiresAt: data.expiresAt };
  if (data.cause === 'referral_friend') return welcomeReward(r, given);
  if (data.cause === 'milestone') return milestoneGift(r, { ...given, friends: data.friends ?? 0 });
  return referralConverted(r, { ...given, friendName: data.friendName ?? '', milestones: [] });
}

/** To the friend: their first-visit reward, and a tier their visit crossed. */
function welcomeReward(r: Rendering, data: WelcomeRewardData): string | undefined {
  const { t, locale, program } = r;
  if (!data.reward) return undefined;
  const business = program.business.name;
  const bonus = bonusPoints(data);
  const headline =
    bonus === undefined
      ? t('notify:welcomeVoucher', { business, reward: rewardLabel(data.reward, locale), code: data.voucherCode, expiresAt: expiry(data) })
      : t('notify:welcomeBonus', { business, points: bonus });
  return lines(headline, visitReceipt(r, data.receipt), tierUpgraded(r, data));
}

/** The birthday voucher and the paid membership's messages (see services/birthdays.ts, services/memberships.ts). */
function membersNotice(r: Rendering, type: MembersNotice, raw: unknown): string | undefined {
  const { t, locale, program } = r;
  const business = program.business.name;
  if (type === 'birthday_reward') {
    const data = raw as Partial<GivenReward>;
    if (!data.reward || !data.voucherCode || !data.expiresAt) return undefined;
    const bonus = bonusPoints(data as GivenReward);
    return bonus === undefined
      ? t('members:notify.birthday', {
          business,
          reward: rewardLabel(data.reward, locale),
          code: data.voucherCode,
          expiresAt: expiry(data as GivenReward),
        })
      : t('members:notify.birthdayBonus', { business, points: bonus });
  }
  const data = raw as Partial<MembershipNoticeData>;
  const rules = program.membership;
  if (!data.endsAt) return undefined;
  const fields = { business, membership: rules?.name[locale] ?? '', perks: rules?.perks[locale] ?? '', endsAt: new Date(data.endsAt) };
  if (type === 'membership_enrolled') return t('members:notify.enrolled', { ...fields, months: data.months, amount: data.amount });
  // A shop that stopped selling memberships does not ask its members to renew.
  if (!rules) return undefined;
  return t(type === 'membership_lapsed' ? 'members:notify.lapsed' : 'members:notify.expiring', fields);
}

type MembersNotice = 'birthday_reward' | 'membership_enrolled' | 'membership_expiry_reminder' | 'membership_lapsed';

/**
 * The notifier's renderer (see NotificationRenderer): the text a person receives for a
 * recorded notification, in their language at send time.
 */
export function createNotificationRenderer(i18n: I18n, program: Program, registry?: Pick<Registry, 'section'>): NotificationRenderer {
  return (notification, recipient) =>
    renderNotification(notification, recipient, { t: i18n.forLocale(recipient.locale), locale: recipient.locale, program, registry });
}

function renderNotification(notification: Pick<Notification, 'type' | 'data'>, recipient: Customer, r: Rendering): string | undefined {
  const { t, locale, program } = r;
  const data = (notification.data ?? {}) as NotificationData;
  const friend = data.friendName || t('bot:aFriend');
  switch (notification.type) {
    case 'referral_converted':
      return referralConverted(r, notification.data as ReferralConvertedData);
    case 'welcome_reward':
      return welcomeReward(r, notification.data as WelcomeRewardData);
    case 'tier_upgraded': {
      const upgraded = notification.data as TierUpgradedData;
      return upgraded.receipt ? lines(visitReceipt(r, upgraded.receipt), tierUpgraded(r, upgraded)) : tierUpgraded(r, upgraded);
    }
    case 'visit_receipt':
      return visitReceipt(r, (notification.data as VisitReceiptData).receipt);
    case 'reward_issued':
      return legacyReward(r, data);
    case 'friend_visit_confirmed':
    case 'milestone_reached':
      return undefined;
    case 'friend_joined':
      return t(data.partner ? 'partners:notify.friendJoined' : 'notify:friendJoined', { friend });
    case 'friends_joined_digest':
      return data.count ? t(data.partner ? 'partners:notify.friendsJoinedDigest' : 'fraud:friendsJoinedDigest', { count: data.count }) : undefined;
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
    case 'staff_added':
      return [t('notify:staffAdded', { business: program.business.name }), r.registry?.section(t, 'staff')].filter(Boolean).join('\n\n');
    case 'staff_removed':
      return t('notify:staffRemoved', { business: program.business.name });
    case 'staff_joined':
      return t('notify:staffJoined', { name: data.staffName || data.staffCode, code: data.staffCode });
    case 'partner_added':
    case 'partner_ended':
    case 'partner_joined':
    case 'partner_friend_visited':
      return renderPartnerNotice(t, locale, program, notification.type, notification.data as PartnerNoticeData);
    case 'visit_reminder':
      return t('notify:visitReminder', { business: program.business.name, reward: rewardLabel(partnerWelcome(program, data.planId), locale) });
    case 'voucher_expiry_reminder':
      return data.reward
        ? t('notify:voucherExpiry', {
            code: data.voucherCode,
            reward: rewardLabel(data.reward, locale),
            expiresAt: data.expiresAt ? new Date(data.expiresAt) : undefined,
          })
        : undefined;
    case 'points_expiry_reminder':
      return data.balance && data.expiresAt
        ? t('wallet:expiryReminder', { balance: data.balance, business: program.business.name, expiresAt: new Date(data.expiresAt) })
        : undefined;
    case 'inactive_notice':
      return data.eraseOn
        ? t('erasure:inactiveNotice', { business: program.business.name, eraseOn: new Date(`${data.eraseOn}T12:00:00Z`) })
        : undefined;
    case 'phone_removed':
      return t('card:phoneRemoved', { end: data.phoneEnd });
    case 'correction':
      return renderCorrection(t, locale, program, notification.data as CorrectionData);
    case 'daily_summary':
      return data.summary ? renderDailySummary(t, data.summary, program.business.name) : undefined;
    case 'app_linked':
      return data.accountApp
        ? t('connect:notify.linked', { app: appLabel[data.accountApp], name: data.accountName || recipient.name || recipient.code })
        : undefined;
    case 'app_link_declined':
      return data.accountApp ? t('connect:notify.declined', { app: appLabel[data.accountApp] }) : undefined;
    case 'app_unlinked':
      return data.accountApp ? t('connect:notify.unlinked', { app: appLabel[data.accountApp] }) : undefined;
    case 'birthday_reward':
    case 'membership_enrolled':
    case 'membership_expiry_reminder':
    case 'membership_lapsed':
      return membersNotice(r, notification.type, notification.data);
    case 'announcement':
    case 'announcement_test':
      return renderAnnouncement(
        t,
        locale,
        program.business.name,
        notification.data as AnnouncementNoticeData,
        notification.type === 'announcement_test',
      );
    case 'review_ask':
    case 'review_approved':
    case 'review_rejected':
      return renderReviewNotice(t, locale, program.business.name, notification.type, notification.data);
    case 'partner_statement':
      return renderPartnerStatement(t, notification.data as CommissionNoticeData, program.business.name);
    case 'program_close':
      return renderProgramClose(t, notification.data as CommissionNoticeData, program.business.name);
    case 'partner_paid':
      return renderPartnerPaid(t, notification.data as CommissionNoticeData, program.business.name);
  }
}
