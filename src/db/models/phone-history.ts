import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Every phone number that was ever on a customer's account, typed or verified, kept after
 * the number moves on: fraud review asks whether a friend's verified number was ever the
 * referrer's. Written by the customer service when a number is attached; one entry per
 * (phone, customer), its `verified` flag raised once the platform vouched for it.
 */
const phoneHistorySchema = new Schema(
  {
    phone: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    verified: { type: Boolean, required: true, default: false },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
phoneHistorySchema.index({ phone: 1, customerId: 1 }, { unique: true });

export type PhoneHistoryEntry = InferSchemaType<typeof phoneHistorySchema> & { _id: Types.ObjectId };

export function createPhoneHistoryModel(connection: Connection) {
  return connection.model('PhoneHistory', phoneHistorySchema, 'phone_history');
}
