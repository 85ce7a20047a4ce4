import type { Customer } from '../db/models/customer.js';
import type { Notification } from '../db/models/notification.js';
import type { SendPacer } from '../domain/send-pacing.js';
import type { Reward } from '../program/schema.js';
import type { VisitReceipt } from '../domain/wallet.js';

/**
 * What the services need from the outside to reach people, declared here so that the
 * notifier depends on these shapes and the channels provide them (never the reverse).
 */
export type ChannelName = 'telegram' | 'zalo';

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
  /**
   * `chatId` is the part after "telegram:" / "zalo:" in a channel identity. The send waits
   * for its turn within the platform's limits (see `pacer`).
   */
  send(chatId: string, message: OutgoingMessage): Promise<SendResult>;
  /** What every message of this bot waits on, replies included; the notifier shares its per-bot rate among the sending processes. */
  pacer?: SendPacer;
}

/**
 * The text a person reads for a recorded notification, in their language at send time;
 * undefined when there is nothing left to say.
 */
export type NotificationRenderer = (notification: Pick<Notification, 'type' | 'data'>, recipient: Customer) => string | undefined;

/** The link buttons a notification carries (the review ask's review pages), in the recipient's language. */
export type NotificationLinks = (notification: Pick<Notification, 'type' | 'data'>) => OutgoingMessage['links'];

/**
 * A reward given in an event, with its voucher. A `bonus_points` reward is credited at once:
 * its voucher is already used, so its code is not for the counter.
 */
export interface GivenReward {
  reward: Reward;
  voucherCode: string;
  expiresAt: Date;
}

/** The tier an event announces (the event owns the tier's claim) and the balance that reached it. */
export interface TierReached {
  tier?: string;
  points?: number;
}

/** `referral_converted`, to the referrer: everything the friend's first visit gave them. */
export interface ReferralConvertedData extends GivenReward, TierReached {
  /** The friend's given name only (domain/names.ts givenName): all the message needs. */
  friendName: string;
  /** Milestones this conversion reached, each with its gift. */
  milestones: Array<GivenReward & { friends: number }>;
}

/** `partner_friend_visited`, to a partner: a friend they brought came in (they earn commission, no referral reward). */
export interface PartnerFriendVisitedData {
  friendName: string;
}

export type { VisitReceipt } from '../domain/wallet.js';

/**
 * `welcome_reward`, to the friend: their reward, a tier their visit points crossed, and the
 * visit's receipt (absent on records from before receipts).
 */
export type WelcomeRewardData = GivenReward & TierReached & { receipt?: VisitReceipt };

/** `tier_upgraded`: a visit crossed a tier, with no other news for the person but its receipt. */
export type TierUpgradedData = Required<TierReached> & { receipt?: VisitReceipt };

/** `visit_receipt`: a visit with no other news for the person. */
export interface VisitReceiptData {
  receipt: VisitReceipt;
}
