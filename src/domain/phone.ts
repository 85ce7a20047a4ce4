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

/** Digits of a number shown to staff or kept in the audit log: enough to tell two customers apart, not to call. */
const SHOWN_DIGITS = 3;

/**
 * A phone number as staff see it and as the audit log keeps it, whatever form it came in
 * ("+84912345678", "0912 345 678", or only its last digits): `•••• ••• 678`. The one way
 * numbers are masked everywhere (cards, lists, the dashboard, the audit log).
 */
export function maskPhone(phone: string): string {
  return `•••• ••• ${phone.replace(/\D/g, '').slice(-SHOWN_DIGITS)}`;
}

// Digits in groups split by a space, dot, dash or bracket, not inside a longer word: the
// places a phone number may be. Which of them is one, normalizePhone decides.
const digitRun = /(?<![\p{L}\p{N}])\+?\d(?:[\s.\-()]{0,2}\d)*(?![\p{L}\p{N}])/gu;
const separator = /([\s.\-()]{1,2})/u;

/**
 * A run of digit groups with the phone numbers in it masked: the whole run when it is one,
 * else the longest consecutive groups that are one ("350000 0912 345 678": an amount, then a number).
 */
function maskRun(run: string): string {
  if (normalizePhone(run).ok) return maskPhone(run);
  // Groups at even indexes, the separators between them at odd ones.
  const parts = run.split(separator);
  let out = '';
  for (let i = 0; i < parts.length; i += 2) {
    let end = parts.length - 1;
    while (end > i && !normalizePhone(parts.slice(i, end + 1).join('')).ok) end -= 2;
    const phone = end > i || normalizePhone(parts[i] ?? '').ok;
    out += (phone ? maskPhone(parts.slice(i, end + 1).join('')) : (parts[i] ?? '')) + (parts[end + 1] ?? '');
    i = end;
  }
  return out;
}

/** `text` with every phone number in it masked (free text staff typed: a reason, a query). */
export function maskPhonesIn(text: string): string {
  return text.replace(digitRun, maskRun);
}

/**
 * `value` with every phone number in its strings masked, through plain objects and arrays
 * (what the audit log keeps as details); ids, dates and numbers are left as they are.
 */
export function withoutPhones<T>(value: T): T {
  if (typeof value === 'string') return maskPhonesIn(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutPhones(item)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutPhones(item as unknown)])) as T;
  }
  return value;
}

/** What staff typed, as it may be kept in the audit log: a phone number masked, anything else cut short. */
export function auditedQuery(query: string): string {
  return looksLikePhone(query) ? maskPhone(query) : maskPhonesIn(query.slice(0, 32));
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
