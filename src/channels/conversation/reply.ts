import type { ReviewPhoto } from '../../db/models/review.js';

/**
 * A button as every channel can show it: Telegram as a button, Zalo as a numbered choice.
 * `action` is the command line the button stands for; the conversation registers it as a
 * one-time action card before the reply leaves, and `ref` is what the channel sends back when
 * the button is pressed (Telegram callback data). The action itself never leaves the server.
 * A `url` opens a link; `copy` puts its text on the clipboard (Telegram), or is written out.
 */
export type Button = { label: string; action: string; ref?: string } | { label: string; url: string } | { label: string; copy: string };

/** One message of the bot's answer, independent of the chat app. */
export interface Reply {
  text: string;
  /** A PNG (QR codes) sent with the text as its caption. */
  photo?: Buffer;
  /** A photo a person sent the bot, shown again with the text as its caption (a review screenshot in the staff queue). */
  sentPhoto?: ReviewPhoto;
  /**
   * A file sent with the text as its caption (a person's data, the processing record). Only
   * for channels that can send files (see ChannelTraits.noFiles); the others get a link.
   */
  document?: { filename: string; content: Buffer };
  /** Rows of buttons; each reply's buttons act once, together (see Button). */
  buttons?: Button[][];
  /** Ask for the person's phone number (Telegram's contact button). */
  requestContact?: boolean;
}

/** What a channel hands to the conversation for one incoming message. */
export interface Incoming {
  /** `telegram:<id>` or `zalo:<id>`. */
  identity: string;
  chatId: string;
  displayName?: string;
  /** The app's language for the person, used until they pick one. */
  languageCode?: string;
  text?: string;
  /** A phone number shared as a contact card. */
  contactPhone?: string;
  /** True when the contact is the person's own (Telegram: `contact.user_id` is the sender). */
  contactVerified?: boolean;
  /** A photo the person sent (Telegram: the largest size's file id; Zalo: its URL). */
  photo?: ReviewPhoto;
  /** The `ref` of a pressed button (Telegram callback data). */
  pressed?: string;
  /** Unique per incoming update: makes a redelivered "add visit" a no-op. */
  requestKey: string;
}
