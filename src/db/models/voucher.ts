import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const voucherStatuses = ['active', 'redeemed', 'expired', 'cancelled'] as const;
export type VoucherStatus = (typeof voucherStatuses)[number];

const rewardSchema = new Schema(
  {
    kind: { type: String, enum: ['percent_off', 'amount_off', 'free_service', 'bonus_points'], required: true },
    value: { type: Number, required: true, default: 0 },
    label: { type: new Schema({ vi: { type: String, required: true }, en: { type: String, required: true } }, { _id: false }), required: true },
  },
  { _id: false },
);

/** An issued reward. `causeKey` (e.g. `referral:<id>:referrer`) issues each reward once. */
const voucherSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    causeKey: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    cause: { type: String, enum: ['referral_referrer', 'referral_friend', 'milestone', 'catalogue', 'birthday', 'review'], required: true },
    reward: { type: rewardSchema, required: true },
    status: { type: String, enum: voucherStatuses, default: 'active' },
    issuedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    redeemedAt: { type: Date },
    /** The business days of `issuedAt` and `redeemedAt` (see domain/schedule.ts dayKey). */
    issuedDay: { type: String },
    redeemedDay: { type: String },
    redeemedBy: { type: Schema.Types.ObjectId },
    cancelledAt: { type: Date },
  },
  { versionKey: false },
);
voucherSchema.index({ status: 1, expiresAt: 1 });
voucherSchema.index({ issuedAt: 1 });
voucherSchema.index({ redeemedAt: 1 });
voucherSchema.index({ issuedDay: 1 });
voucherSchema.index({ redeemedDay: 1, status: 1 });

export type Voucher = InferSchemaType<typeof voucherSchema> & { _id: Types.ObjectId };

export function createVoucherModel(connection: Connection) {
  return connection.model('Voucher', voucherSchema, 'vouchers');
}
