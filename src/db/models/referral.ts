import type { Types} from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { referralChannels } from './customer.js';

/** A friend attributed to a referrer: at most one per friend (unique friendId). */
const referralSchema = new Schema(
  {
    friendId: { type: Schema.Types.ObjectId, required: true, unique: true },
    referrerId: { type: Schema.Types.ObjectId, required: true },
    code: { type: String, required: true },
    via: { type: String, enum: referralChannels, required: true },
    status: { type: String, enum: ['joined', 'converted', 'expired'], default: 'joined' },
    joinedAt: { type: Date, required: true },
    convertedAt: { type: Date },
    visitId: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);
referralSchema.index({ referrerId: 1, status: 1 });
referralSchema.index({ joinedAt: 1 });
referralSchema.index({ convertedAt: 1 });
referralSchema.index({ status: 1, joinedAt: 1 });

export type Referral = InferSchemaType<typeof referralSchema> & { _id: Types.ObjectId };

export function createReferralModel(connection: Connection) {
  return connection.model('Referral', referralSchema, 'referrals');
}
