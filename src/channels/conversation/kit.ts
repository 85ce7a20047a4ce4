import type { Customer, Role } from '../../db/models/customer.js';
import type { I18n, Locale, Translate } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import type { Program } from '../../program/schema.js';
import type { Services } from '../../services/index.js';
import type { Reply } from './reply.js';

/** Where the bot's links point: the channel decides (t.me deep links, or the web page). */
export interface Links {
  /** The chat app these links are for: an invitation forwarded in it is shared on that network. */
  network: 'telegram' | 'zalo';
  /** The personal referral link a customer shares (forwarded in this app: counted under `network`). */
  referral(code: string): string;
  /** What the member QR encodes (the secret member token): scanned by staff, it opens this customer's card. */
  memberCard(memberToken: string): string;
  /** A link that opens the bot with `/start <payload>`, where the app has such links (Telegram). */
  startLink?(payload: string): string;
}

/** How a channel differs in what people can do in it. */
export interface ChannelTraits {
  /**
   * No deep-link payload (Zalo): a newcomer sends the referral code as a message, so a
   * bare code is read as `/start <code>`, and the welcome asks who invited them.
   */
  bareCodes: boolean;
  /** No contact button: people type `/phone <number>`. */
  typedPhone: boolean;
  /** No buttons: a reply of just a number picks from the chat's last numbered list. */
  numberedChoices: boolean;
  /** The bot cannot send files (Zalo): a file goes as a one-time download link instead. */
  noFiles: boolean;
}

export interface ConversationDeps {
  services: Services;
  program: Program;
  i18n: I18n;
  logger: Logger;
  /** Base of web pages the bot links to (the owner's dashboard). */
  publicUrl: string;
}

/**
 * Told when a message changed a person's role or language (their own, or staff an owner
 * added or removed), so the channel can update what it shows them: Telegram's command menu.
 */
export type PersonChanged = (customer: Customer) => Promise<void>;

/** What every feature is built from: the app's parts, the channel's links and traits, and /help from the registry. */
export interface ConversationKit extends ConversationDeps {
  links: Links;
  traits: ChannelTraits;
  personChanged?: PersonChanged;
  /** The whole /help for the person's role. */
  help(s: Session): Reply[];
  /** One role's part of /help (the commands a new owner or staff member just got). */
  helpSection(t: Translate, role: Role): string;
}

/**
 * The person the bot is answering, in their language, loaded once per message. A feature
 * that changes the person's role or language updates `customer` too, so what runs after it
 * in the same message (the channel's menu) sees the change without loading them again.
 */
export type Session = { customer: Customer; locale: Locale; t: Translate };

export { MEMBER_CARD_PREFIX, STAFF_INVITE_PREFIX } from '../../domain/links.js';

/** qrcode (its PNG encoder included) is loaded at the first image, not at start. */
export async function qrPng(text: string): Promise<Buffer> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(text, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' });
}

/** The refusals staff and owner commands share: not allowed, or no one customer for what was typed. */
export function lookupRefusal(s: Session, reason: string): Reply[] | undefined {
  switch (reason) {
    case 'not_allowed':
      return [{ text: s.t('bot:notAllowed') }];
    case 'not_found':
      return [{ text: s.t('bot:customerNotFound') }];
    case 'ambiguous_phone':
      return [{ text: s.t('card:ambiguousPhone') }];
    default:
      return undefined;
  }
}
