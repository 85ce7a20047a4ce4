import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { referralChannels } from './customer.js';

/** A friend attributed to a referrer: at most one per friend (unique friendId). */
const referralSchema = new Schema(
  {
    friendId: { type: Schema.Types.ObjectId, required: true, unique: true },
    referrerId: { type: Schema.Types.ObjectId, required: true },
    code: { type: String, required: true },
    via: { type: String, enum: referralChannels, required: true },
    /** `revoked`: converted, then confirmed as fraud by the owner (rewards cancelled). */
    status: { type: String, enum: ['joined', 'converted', 'expired', 'revoked'], default: 'joined' },
    joinedAt: { type: Date, required: true },
    convertedAt: { type: Date },
    /** The business days of `joinedAt` and `convertedAt` (see domain/schedule.ts dayKey). */
    joinedDay: { type: String },
    convertedDay: { type: String },
    visitId: { type: Schema.Types.ObjectId },
    /** The staff member whose confirmed visit converted it (fraud rules count per staff member). */
    confirmedBy: { type: Schema.Types.ObjectId },
    revokedAt: { type: Date },
    /**
     * The cause key of this conversion's rewards (`referral:<id>`, or `referral:<id>:<visit id>`
     * for a conversion after an undone one); absent on conversions before it existed (`referral:<id>`).
     */
    rewardKey: { type: String },
    /** When a staff or owner undo of the converting visit put the referral back to `joined`. */
    reopenedAt: { type: Date },
    /**
     * Set when the referrer was an active partner when the friend joined: the plan (partners.plans[].id)
     * that earns them commission on the friend's visits instead of the referral rewards.
     */
    partnerPlanId: { type: String },
    /** The notification that tells the referrer about this join: the first one at once, or an hour's digest. */
    joinNoticeKey: { type: String, index: true },
  },
  { versionKey: false },
);
referralSchema.index({ referrerId: 1, status: 1 });
referralSchema.index({ joinedAt: 1 });
referralSchema.index({ convertedAt: 1 });
referralSchema.index({ status: 1, joinedAt: 1 });
referralSchema.index({ referrerId: 1, convertedAt: 1 });
referralSchema.index({ joinedDay: 1 });
referralSchema.index({ partnerPlanId: 1, convertedAt: 1 });
referralSchema.index({ convertedDay: 1, status: 1 });

export type Referral = InferSchemaType<typeof referralSchema> & { _id: Types.ObjectId };

export function createReferralModel(connection: Connection) {
  return connection.model('Referral', referralSchema, 'referrals');
}
