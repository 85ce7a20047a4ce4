import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The event notifications: one message per person per event, carrying all its parts (rewards,
 * milestones, a tier crossed). A tier is announced in the event that owns its claim.
 */
export const eventNotificationTypes = ['referral_converted', 'welcome_reward', 'tier_upgraded', 'visit_receipt'] as const;

/**
 * Types recorded before one message per event, no longer written: records of them still
 * pending when the new version starts are delivered by the renderer in the new wording.
 */
export const legacyNotificationTypes = ['reward_issued', 'friend_visit_confirmed', 'milestone_reached'] as const;

export const notificationTypes = [
  ...eventNotificationTypes,
  'friend_joined',
  'friends_joined_digest',
  'referral_reversed',
  'visit_reminder',
  'voucher_expiry_reminder',
  'points_expiry_reminder',
  'staff_added',
  'staff_removed',
  'staff_joined',
  /** The partner program's people (services/partners.ts): made a partner, their partnership ended, an invite used (to its owner), a friend's first visit. */
  'partner_added',
  'partner_ended',
  'partner_joined',
  'partner_friend_visited',
  'daily_summary',
  'app_linked',
  'app_link_declined',
  'app_unlinked',
  'phone_removed',
  /** A staff or owner correction: an undone visit, a points adjustment, a cancelled voucher (data.kind). */
  'correction',
  'birthday_reward',
  'membership_enrolled',
  'membership_expiry_reminder',
  'membership_lapsed',
  /** The inactive-customers policy: the person's details will be removed on `data.eraseOn` unless they write or come in. */
  'inactive_notice',
  /** The owner's announcement (data.announcementId; its text is read at send time), only to people who still want offers. */
  'announcement',
  /** The owner's test of an announcement, to their own chat (data.text), counted nowhere. */
  'announcement_test',
  /** Review rewards (services/reviews.ts): the ask after a visit (an offer), and the staff decision on the customer's review. */
  'review_ask',
  'review_approved',
  'review_rejected',
  /** The monthly close: a partner's statement of the month (data: its totals and what is owed), the owners' reconciliation (data.summary). */
  'partner_statement',
  'program_close',
  /** The owner marked a partner's month paid (data.month, data.amount). */
  'partner_paid',
  ...legacyNotificationTypes,
] as const;
export type NotificationType = (typeof notificationTypes)[number];

/** Sent only to people who want offers at the moment it goes (services/notification-delivery.ts). */
export const offerNotificationTypes = ['announcement', 'review_ask'] as const;

/** `withdrawn`: the person turned offers off before an offer went out, so it never will. */
export const notificationStatuses = ['pending', 'sending', 'sent', 'undeliverable', 'uncertain', 'withdrawn'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/**
 * A message someone is owed, recorded in the same write path as its cause and delivered
 * later by the notifier job. `key` names the cause (e.g. "referral_converted:<referralId>"), and
 * its unique index makes recording idempotent: a retried use case cannot owe twice.
 *
 * Delivery: pending -> sending (claimed atomically, with a lease) -> sent | undeliverable.
 * A claim whose lease ran out while sending is marked "uncertain" and not sent again, so a
 * crash between sending and recording never shows the person the same message twice.
 */
const notificationSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    type: { type: String, required: true, enum: notificationTypes },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    /** Send to this chat app of the customer rather than the one they used last (a notice about that app). */
    toIdentity: { type: String },
    /** Small facts to render from (ids, numbers, names); rendered in the recipient's language at send time. */
    data: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, required: true, enum: notificationStatuses, default: 'pending' },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true, default: () => new Date() },
    leaseUntil: { type: Date },
    sentAt: { type: Date },
    lastError: { type: String },
    /**
     * The business days (see domain/schedule.ts dayKey) of `createdAt` and of the moment it
     * became undeliverable (its last `updatedAt`): the reports count tiers announced and
     * messages lost on a day by them.
     */
    createdDay: { type: String },
    undeliverableDay: { type: String },
    /** The announcement this message belongs to: its figures are counted by it and the status. */
    announcementId: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, versionKey: false },
);
notificationSchema.index({ status: 1, nextAttemptAt: 1 });
notificationSchema.index({ type: 1, createdAt: 1 });
notificationSchema.index({ status: 1, updatedAt: 1 });
notificationSchema.index({ createdDay: 1, type: 1 });
notificationSchema.index({ undeliverableDay: 1, status: 1 });
notificationSchema.index({ announcementId: 1, status: 1 });

export type Notification = InferSchemaType<typeof notificationSchema> & { _id: Types.ObjectId };

export function createNotificationModel(connection: Connection) {
  return connection.model('Notification', notificationSchema, 'notifications');
}
