/**
 * Where a friend found a referral, carried from the shared web link into the bot. The web
 * link says it with `?via=` (`/r/<code>?via=qr` is what the invite QR encodes, `zalo`, `fb`,
 * `messenger` and `telegram` are what the share buttons put in the link they share; a plain
 * link is `link`); the landing page's buttons carry it on as the start payload `<code>_<via>`
 * (Telegram's deep link, or what the friend sends on Zalo), and both the open and the
 * friend's join are counted under the channel the table below names: the network that
 * brought them, whichever app they then join in. A new source is one more row here and one
 * more referral channel (db/models/customer.ts referralChannels) in the reports.
 */
export const webSources = {
  link: 'link',
  qr: 'qr',
  zalo: 'zalo',
  fb: 'fb',
  messenger: 'messenger',
  telegram: 'telegram',
} as const;
export type WebVia = keyof typeof webSources;
/** The referral channel a join through a web source is counted under. */
export type WebChannel = (typeof webSources)[WebVia];

export const isWebVia = (value: unknown): value is WebVia => typeof value === 'string' && Object.hasOwn(webSources, value);

/** The `?via=` of a landing page request; anything unknown is the plain web link. */
export const viaOf = (value: unknown): WebVia => (isWebVia(value) ? value : 'link');

/** The underscore is in no code (see CODE_ALPHABET) and is kept by Telegram's start payloads. */
const SEPARATOR = '_';

/** The start payload of a friend who came through the web page: the code and its source. */
export const referralPayload = (code: string, via: WebVia): string => `${code}${SEPARATOR}${via}`;

/** A start payload or a sent code read apart: the code, and the web source it came through if it names one. */
export function parseReferralPayload(text: string): { code: string; via?: WebVia } {
  const trimmed = text.trim();
  const at = trimmed.lastIndexOf(SEPARATOR);
  if (at <= 0) return { code: trimmed };
  const via = trimmed.slice(at + 1).toLowerCase();
  return isWebVia(via) ? { code: trimmed.slice(0, at), via } : { code: trimmed };
}

/** The landing page of a code, for a source other than the plain link. */
export const landingLink = (publicUrl: string, code: string, via: WebVia = 'link'): string =>
  `${publicUrl}/r/${encodeURIComponent(code)}${via === 'link' ? '' : `?via=${via}`}`;
