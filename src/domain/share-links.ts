/**
 * The networks' own ways to share a referral link, each sharing the landing page with its
 * network in `?via=` (see referral-source.ts), so the open and the join are counted under it.
 */

/** Telegram's share sheet (documented: https://core.telegram.org/widgets/share). */
export const telegramShare = (url: string, text: string): string =>
  `https://t.me/share/url?url=${encodeURIComponent(url)}&text=${encodeURIComponent(text)}`;

/** Facebook's sharer needs no app id; Facebook reads the page's preview card (its og:url keeps the `via`). */
export const facebookShare = (url: string): string => `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(url)}`;

/**
 * Messenger's share on phones. Facebook's web Send Dialog (`facebook.com/dialog/send`) needs
 * a Facebook app id and, by Facebook's documentation, does not work on mobile; the Messenger
 * app's `fb-messenger://share?link=` needs neither. Chat buttons only open http(s) links, so
 * the bot links to the shop's own page for it (messengerSharePage), which opens the app and
 * shows the link to copy on a computer.
 */
export const messengerAppShare = (url: string): string => `fb-messenger://share/?link=${encodeURIComponent(url)}`;

/** The shop's page that hands a code's Messenger link to the Messenger app (see messengerAppShare). */
export const messengerSharePage = (publicUrl: string, code: string): string => `${publicUrl}/r/${encodeURIComponent(code)}/messenger`;
