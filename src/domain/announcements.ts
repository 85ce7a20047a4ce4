import { DateTime } from 'luxon';

/**
 * The owner's text, per language, in UTF-16 units as Zalo counts them (and a textarea's maxlength):
 * Zalo takes 2,000 a message (Telegram 4,096), and the message adds the shop's name, the test
 * mark and the opt-out line (a unit test checks the longest fits).
 */
export const ANNOUNCEMENT_TEXT_LIMIT = 1500;
/** "Not seen for N days": from one day to about three years. */
export const MAX_INACTIVE_DAYS = 1000;

export const audienceKinds = ['everyone', 'tier', 'inactive'] as const;
export type AudienceKind = (typeof audienceKinds)[number];

/** Who an announcement goes to, among the customers who said yes to offers. */
export type Audience = { kind: 'everyone' } | { kind: 'tier'; tier: string } | { kind: 'inactive'; days: number };

export interface AnnouncementDraftInput {
  vi: string;
  en: string;
  audience: Audience;
}

/** A field the form shows its error next to, and why. */
export type DraftError = { field: 'vi' | 'en' | 'audience' | 'tier' | 'days'; reason: 'missing' | 'too_long' | 'unknown_tier' | 'bad_days' };

/**
 * Checks the owner's form: both texts (trimmed, within the limit), an audience kind, a tier
 * the program has (`tiers` are the tiers' keys), whole days within range. Returns the draft
 * or every error found.
 */
export function parseDraft(
  raw: { vi?: unknown; en?: unknown; audience?: unknown; tier?: unknown; days?: unknown },
  tiers: readonly string[],
): { ok: true; draft: AnnouncementDraftInput } | { ok: false; errors: DraftError[] } {
  const errors: DraftError[] = [];
  const text = (field: 'vi' | 'en') => {
    const value = typeof raw[field] === 'string' ? raw[field].replace(/\r\n/g, '\n').trim() : '';
    if (!value) errors.push({ field, reason: 'missing' });
    else if (value.length > ANNOUNCEMENT_TEXT_LIMIT) errors.push({ field, reason: 'too_long' });
    return value;
  };
  const vi = text('vi');
  const en = text('en');
  let audience: Audience | undefined;
  if (raw.audience === 'everyone') audience = { kind: 'everyone' };
  else if (raw.audience === 'tier') {
    const tier = typeof raw.tier === 'string' ? raw.tier : '';
    if (tiers.includes(tier)) audience = { kind: 'tier', tier };
    else errors.push({ field: 'tier', reason: 'unknown_tier' });
  } else if (raw.audience === 'inactive') {
    const days = typeof raw.days === 'string' && /^\d{1,4}$/.test(raw.days.trim()) ? Number(raw.days.trim()) : NaN;
    if (Number.isInteger(days) && days >= 1 && days <= MAX_INACTIVE_DAYS) audience = { kind: 'inactive', days };
    else errors.push({ field: 'days', reason: 'bad_days' });
  } else errors.push({ field: 'audience', reason: 'missing' });
  if (errors.length > 0 || !audience) return { ok: false, errors };
  return { ok: true, draft: { vi, en, audience } };
}

/**
 * "Not seen for `days` days": the last business day seen is before this day (yyyy-mm-dd).
 * Today counts as seen; someone last seen exactly `days` days ago is included.
 */
export function notSeenBefore(now: Date, days: number, timezone: string): string {
  return (
    DateTime.fromJSDate(now, { zone: timezone })
      .startOf('day')
      .minus({ days: days - 1 })
      .toISODate() ?? ''
  );
}

/** What became of an announcement's messages, from their delivery status. */
export interface AnnouncementFigures {
  recipients: number;
  /** Handed to the chat app: delivered, or refused by it. */
  sent: number;
  delivered: number;
  /** The person blocked the bot or the chat is gone, or the app kept failing. */
  failed: number;
  /** Turned offers off (or deleted their data) before their message went out. */
  withdrawn: number;
  waiting: number;
}
