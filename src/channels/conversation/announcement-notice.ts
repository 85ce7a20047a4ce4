import type { Locale, Translate } from '../../i18n.js';

/** What an announcement's message is rendered from: the owner's text in both languages. */
export interface AnnouncementNoticeData {
  text?: { vi?: string; en?: string };
}

/**
 * An announcement in the recipient's language: the shop's name, the owner's text, and how to
 * stop offers (and start them again). The owner's test says first that only they received it.
 */
export function renderAnnouncement(t: Translate, locale: Locale, business: string, data: AnnouncementNoticeData, test: boolean): string | undefined {
  const text = data.text?.[locale] || data.text?.vi;
  if (!text) return undefined;
  return [
    test ? t('announcements:message.test') : undefined,
    t('announcements:message.heading', { business }),
    text,
    t('announcements:message.optOut'),
  ]
    .filter((part): part is string => !!part)
    .join('\n\n');
}
