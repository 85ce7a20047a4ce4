import type { Notification } from '../../db/models/notification.js';
import type { Locale, Translate } from '../../i18n.js';
import type { NotificationLinks } from '../../services/ports.js';
import type { ReviewApprovedData, ReviewAskData } from '../../services/reviews.js';
import { rewardLabel } from './format.js';

type ReviewNotice = Extract<Notification['type'], 'review_ask' | 'review_approved' | 'review_rejected'>;

/**
 * The review reward's messages (services/reviews.ts): the ask and how to answer it (its review
 * links go as buttons, see reviewLinks); the approval with its voucher; a polite rejection.
 */
export function renderReviewNotice(t: Translate, locale: Locale, business: string, type: ReviewNotice, raw: unknown): string | undefined {
  if (type === 'review_rejected') return t('reviews:notify.rejected', { business });
  if (type === 'review_approved') {
    const data = raw as Partial<ReviewApprovedData>;
    if (!data.reward || !data.voucherCode || !data.expiresAt) return undefined;
    return data.reward.kind === 'bonus_points'
      ? t('reviews:notify.approvedBonus', { business, points: data.reward.value ?? 0 })
      : t('reviews:notify.approved', {
          business,
          reward: rewardLabel(data.reward, locale),
          code: data.voucherCode,
          expiresAt: new Date(data.expiresAt),
        });
  }
  const data = raw as Partial<ReviewAskData>;
  if (!data.reward || !data.links?.length) return undefined;
  return t('reviews:notify.ask', { business, reward: rewardLabel(data.reward, locale) });
}

/** The review ask's links: Telegram shows them as buttons, Zalo writes them under the text. */
export const reviewLinks: NotificationLinks = (notification) =>
  notification.type === 'review_ask'
    ? ((notification.data as Partial<ReviewAskData>).links ?? []).map((link) => ({ label: link.name, url: link.url }))
    : undefined;
