/**
 * Deep links into the bot, shared by the chat channels and the web pages (which must not
 * depend on each other).
 */

/** Payload prefix of a member-card deep link (`/start m_<member token>`). */
export const MEMBER_CARD_PREFIX = 'm_';
/** Payload prefix of a staff invite (`/start s_<invite>`). */
export const STAFF_INVITE_PREFIX = 's_';

/** The t.me link that opens the bot with `/start <payload>` (referrals, member cards, staff invites). */
export function telegramStartLink(botUsername: string, payload: string): string {
  return `https://t.me/${encodeURIComponent(botUsername)}?start=${encodeURIComponent(payload)}`;
}

/** Payload prefix of a partner invite (`/start p_<invite>`). */
export const PARTNER_INVITE_PREFIX = 'p_';
