import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const reviewStatuses = ['asked', 'pending', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** The screenshot a customer sent: Telegram's file id (only the Telegram bot can show it) or Zalo's image URL. */
const photoSchema = new Schema({ telegramFileId: { type: String }, url: { type: String } }, { _id: false });

/**
 * One review ask to one customer and what became of it (see services/reviews.ts). `key` is
 * `review:<customer id>:<n>`, the customer's n-th ask: inserted under it, so racing visits ask
 * once; the reward voucher is issued under the same key, so at most once per ask (period).
 * `round` counts submissions: a rejected one can be followed by another, decided anew.
 */
const reviewSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    /** This is the customer's n-th ask (the key's last part). */
    n: { type: Number, required: true },
    /** The visit after which the customer was asked. */
    visitId: { type: Schema.Types.ObjectId, required: true },
    askedAt: { type: Date, required: true },
    /** When the ask message is due (`askAfterHours` after the visit). */
    askAt: { type: Date, required: true },
    /** Until when a submission is taken for this ask (`periodDays` after it). */
    openUntil: { type: Date, required: true },
    /** The reward and links as the ask promised them (the rules may change before the decision). */
    reward: { type: Schema.Types.Mixed, required: true },
    links: { type: [new Schema({ name: String, url: String }, { _id: false })], default: [] },
    status: { type: String, required: true, enum: reviewStatuses, default: 'asked' },
    round: { type: Number, required: true, default: 0 },
    photo: { type: photoSchema },
    /** The customer said they left the review (with or without a photo). */
    saidDone: { type: Boolean, default: false },
    submittedAt: { type: Date },
    decidedBy: { type: Schema.Types.ObjectId },
    decidedAt: { type: Date },
    voucherId: { type: Schema.Types.ObjectId },
    voucherCode: { type: String },
  },
  { versionKey: false },
);
// A customer's latest ask; the staff queue, oldest first.
reviewSchema.index({ customerId: 1, askedAt: -1 });
reviewSchema.index({ status: 1, submittedAt: 1 });

export type Review = InferSchemaType<typeof reviewSchema> & { _id: Types.ObjectId };
export type ReviewPhoto = { telegramFileId?: string; url?: string };

export function createReviewModel(connection: Connection) {
  return connection.model('Review', reviewSchema, 'reviews');
}
