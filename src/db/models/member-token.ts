import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The secret in a customer's member QR: whoever shows it is at the counter with the
 * customer's phone, so a card opened with it may spend their vouchers (the public referral
 * code never can). One per customer, made on first use and replaced when the customer asks
 * for a new QR. Written by the member-card service only.
 */
const memberTokenSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true, unique: true },
    token: { type: String, required: true, unique: true },
  },
  { timestamps: true, versionKey: false },
);

export type MemberToken = InferSchemaType<typeof memberTokenSchema> & { _id: Types.ObjectId };

export function createMemberTokenModel(connection: Connection) {
  return connection.model('MemberToken', memberTokenSchema, 'member_tokens');
}
