import { landingLink } from '../../domain/referral-source.js';
import { facebookShare, messengerSharePage, telegramShare } from '../../domain/share-links.js';
import type { ConversationKit, Session } from './kit.js';
import type { Button } from './reply.js';

/**
 * The ways to share a customer's referral link, one per network, each link carrying its
 * network (`?via=`) so the reports count the friends it brings under it. The chat's own
 * network needs no button: its invitation is forwarded in the app (see Links.referral).
 */
export function shareButtons(kit: Pick<ConversationKit, 'links' | 'publicUrl'>, s: Session, text: string): Button[][] {
  const { code } = s.customer;
  const web = (via: Parameters<typeof landingLink>[2]) => landingLink(kit.publicUrl, code, via);
  const onTelegram = kit.links.network === 'telegram';
  // On Telegram its share passes the bot's own link: the friend lands in the chat at once.
  const telegram: Button = { label: s.t('share:telegram'), url: telegramShare(onTelegram ? kit.links.referral(code) : web('telegram'), text) };
  // Zalo has no share address (domain/share-links.ts): the link is copied and pasted in Zalo.
  const zalo: Button = { label: s.t('share:zalo'), copy: web('zalo') };
  const facebook: Button = { label: s.t('share:facebook'), url: facebookShare(web('fb')) };
  const messenger: Button = { label: s.t('share:messenger'), url: messengerSharePage(kit.publicUrl, code) };
  const copy: Button = { label: s.t('share:copyLink'), copy: web('link') };
  return onTelegram ? [[telegram], [zalo, facebook], [messenger, copy]] : [[facebook, messenger], [telegram], [copy]];
}
