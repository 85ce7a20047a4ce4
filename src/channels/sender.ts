import type { ChannelName } from './channel.js';

/** A message as every channel can show it; a channel without buttons renders them as text. */
export interface OutgoingMessage {
  text: string;
  /** A PNG to show with the text (QR codes). */
  photo?: { png: Buffer; publicUrl?: string };
  /** Link buttons (Telegram shows buttons; Zalo appends the links to the text). */
  links?: Array<{ label: string; url: string }>;
}

/**
 * The outcome of one send. `retry`: try again later (network, 5xx, 429 with its wait);
 * `permanent`: the person cannot be reached (blocked the bot, chat gone) and never will
 * be by retrying.
 */
export type SendResult =
  | { ok: true; messageId?: string }
  | { ok: false; kind: 'retry'; reason: string; retryAfterMs?: number }
  | { ok: false; kind: 'permanent'; reason: string };

/** Sends to one chat on one channel; the notifier picks the sender by the identity's channel. */
export interface MessageSender {
  channel: ChannelName;
  /** `chatId` is the part after "telegram:" / "zalo:" in a channel identity. */
  send(chatId: string, message: OutgoingMessage): Promise<SendResult>;
}
