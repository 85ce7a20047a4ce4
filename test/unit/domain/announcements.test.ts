import { describe, expect, it } from 'vitest';
import { renderAnnouncement } from '../../../src/channels/conversation/announcement-notice.js';
import { ZALO_TEXT_LIMIT } from '../../../src/channels/zalo/client.js';
import { ANNOUNCEMENT_TEXT_LIMIT, notSeenBefore, parseDraft } from '../../../src/domain/announcements.js';
import { createI18n } from '../../../src/i18n.js';

describe('announcements: the owner form and the message', () => {
  it('accepts both texts, trimmed, and each audience', () => {
    expect(parseDraft({ vi: ' Chào\r\nbạn ', en: 'Hi', audience: 'everyone' }, ['Gold'])).toEqual({
      ok: true,
      draft: { vi: 'Chào\nbạn', en: 'Hi', audience: { kind: 'everyone' } },
    });
    expect(parseDraft({ vi: 'a', en: 'b', audience: 'tier', tier: 'Gold' }, ['Gold'])).toMatchObject({
      ok: true,
      draft: { audience: { kind: 'tier', tier: 'Gold' } },
    });
    expect(parseDraft({ vi: 'a', en: 'b', audience: 'inactive', days: ' 60 ' }, [])).toMatchObject({
      ok: true,
      draft: { audience: { kind: 'inactive', days: 60 } },
    });
  });

  it('names every wrong field', () => {
    expect(parseDraft({ vi: 'x'.repeat(ANNOUNCEMENT_TEXT_LIMIT + 1), audience: 'tier', tier: 'Bronze' }, ['Gold'])).toEqual({
      ok: false,
      errors: [
        { field: 'vi', reason: 'too_long' },
        { field: 'en', reason: 'missing' },
        { field: 'tier', reason: 'unknown_tier' },
      ],
    });
    for (const days of ['0', '1001', '2.5', 'ba', ''])
      expect(parseDraft({ vi: 'a', en: 'b', audience: 'inactive', days }, [])).toEqual({
        ok: false,
        errors: [{ field: 'days', reason: 'bad_days' }],
      });
    expect(parseDraft({ vi: 'a', en: 'b', audience: 'all' }, [])).toEqual({ ok: false, errors: [{ field: 'audience', reason: 'missing' }] });
    // Counted as Zalo counts: an emoji is two UTF-16 units.
    expect(parseDraft({ vi: '🎉'.repeat(ANNOUNCEMENT_TEXT_LIMIT / 2), en: 'b', audience: 'everyone' }, []).ok).toBe(true);
    expect(parseDraft({ vi: '🎉'.repeat(ANNOUNCEMENT_TEXT_LIMIT / 2 + 1), en: 'b', audience: 'everyone' }, []).ok).toBe(false);
  });

  it('"not seen for N days" includes the person last seen exactly N days ago, in the shop time zone', () => {
    // 2026-06-01 00:30 in Hồ Chí Minh City is still 31 May in UTC.
    const now = new Date('2026-05-31T17:30:00Z');
    expect(notSeenBefore(now, 30, 'Asia/Ho_Chi_Minh')).toBe('2026-05-03');
    expect(notSeenBefore(now, 1, 'Asia/Ho_Chi_Minh')).toBe('2026-06-01');
  });

  it('the longest test message fits one Zalo message, in both languages, with the opt-out line', async () => {
    const i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
    const longest = 'ế'.repeat(ANNOUNCEMENT_TEXT_LIMIT);
    for (const locale of ['vi', 'en'] as const) {
      const t = i18n.forLocale(locale);
      const text = renderAnnouncement(t, locale, 'Salon Mai Hương — Quận 1', { text: { vi: longest, en: longest } }, true)!;
      expect(text.length).toBeLessThanOrEqual(ZALO_TEXT_LIMIT);
      expect(text).toContain(t('announcements:message.optOut'));
      expect(text.startsWith(t('announcements:message.test'))).toBe(true);
    }
    const vi = renderAnnouncement(i18n.forLocale('vi'), 'vi', 'Salon', { text: { vi: 'Giảm 20%', en: '20% off' } }, false)!;
    expect(vi).toBe('📣 Salon\n\nGiảm 20%\n\nKhông muốn nhận ưu đãi nữa? Gửi /stop. Muốn nhận lại, gửi /start.');
  });
});
