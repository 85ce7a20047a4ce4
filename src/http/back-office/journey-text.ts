import type { Locale, Translate } from '../../i18n.js';
import type { JourneyEvent } from '../../services/journey.js';

/**
 * One line of a customer's journey in the reader's language (text: the template escapes it).
 * Messages say their kind and whether they arrived, never what they said.
 */
export function journeyText(t: Translate, locale: Locale, tierOf: (id: string | undefined) => string) {
  return (e: JourneyEvent): string => {
    switch (e.kind) {
      case 'joined':
        return t(e.imported ? 'people:journey.imported' : 'people:journey.joined');
      case 'referred':
        return t('people:journey.referred', {
          name: e.referrer ? e.referrer.name || e.referrer.code : '—',
          via: t(`people:channels.${e.via}`),
          status: t(`people:journey.referralStatus.${e.status}`),
        });
      case 'link_opened':
        return t('people:journey.linkOpened', { via: t(`people:channels.${e.via}`) });
      case 'friend_converted':
        return t('people:journey.friendConverted');
      case 'visit': {
        const text = t(e.first ? 'people:journey.firstVisit' : 'people:journey.visit', {
          amount: e.amount === undefined ? '—' : t('dashboard:money', { amount: e.amount }),
          points: e.points,
        });
        return e.undoneAt ? `${text} ${t('people:journey.undone', { at: e.undoneAt })}` : text;
      }
      case 'points':
        return t('people:journey.points', { delta: e.delta > 0 ? `+${e.delta}` : String(e.delta), cause: t(`people:journey.causes.${e.cause}`) });
      case 'tier':
        return t(e.raised ? 'people:journey.tierRaised' : 'people:journey.tierLowered', { tier: tierOf(e.tier) });
      case 'voucher_issued':
        return t('people:journey.voucherIssued', { label: e.label[locale], code: e.code, cause: t(`people:vouchers.causes.${e.cause}`) });
      case 'voucher_redeemed':
      case 'voucher_cancelled':
      case 'voucher_expired':
        return t(`people:journey.${e.kind}`, { label: e.label[locale], code: e.code });
      case 'message':
        return t('people:journey.message', {
          kind: t([`people:messages.${e.type}`, 'people:messages.other']),
          status: t(`people:messages.status.${e.status}`),
        });
    }
  };
}
