import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * Vietnamese phone numbers in E.164 (+84...). Accepts the ways people write them:
 * "0912 345 678", "84912345678", "+84 912-345-678", "(028) 3823 4567".
 * Mobile numbers have 9 digits after the country code (first digit 3, 5, 7, 8 or 9);
 * landlines have 10 (first digit 2).
 */
export type PhoneResult = { ok: true; phone: string } | { ok: false; reason: 'invalid_phone' };

export function normalizePhone(raw: string): PhoneResult {
  const compact = raw.trim().replace(/[\s.\-()]/g, '');
  let national: string | undefined;
  if (/^\+84\d+$/.test(compact)) national = compact.slice(3);
  else if (/^0084\d+$/.test(compact)) national = compact.slice(4);
  else if (/^84\d{9,10}$/.test(compact)) national = compact.slice(2);
  else if (/^0\d+$/.test(compact)) national = compact.slice(1);
  if (national?.startsWith('0')) national = national.slice(1);
  if (!national) return { ok: false, reason: 'invalid_phone' };
  const mobile = /^[35789]\d{8}$/.test(national);
  const landline = /^2\d{9}$/.test(national);
  return mobile || landline ? { ok: true, phone: `+84${national}` } : { ok: false, reason: 'invalid_phone' };
}

/** What staff typed, as it may be kept in the audit log: a phone number only by its last 3 digits. */
export function auditedQuery(query: string): string {
  return looksLikePhone(query) ? `***${query.replace(/\D/g, '').slice(-3)}` : query.slice(0, 32);
}

/** True when the text looks like someone typed a phone number rather than a code. */
export function looksLikePhone(text: string): boolean {
  return /^[+\d][\d\s.\-()]{7,}$/.test(text.trim());
}

/**
 * A stored number (E.164) as Vietnamese readers write it: "0912 345 678", "028 3823 4567".
 * Grouping rules per number range come from libphonenumber's metadata rather than our own table.
 */
export function nationalPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}
