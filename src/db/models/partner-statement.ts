import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A partner's statement of one closed month, frozen by the monthly close (unique `key`
 * `<partnerId>:<month>`): later corrections land in the next month as adjustments. `due` is
 * what the month owes the partner (commission + adjustments, whole VND). Paid once, by the owner.
 */
const partnerStatementSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    partnerId: { type: Schema.Types.ObjectId, required: true },
    month: { type: String, required: true },
    planId: { type: String },
    /** Friends who joined through the partner in the month. */
    customersBrought: { type: Number, required: true, default: 0 },
    /** Of the partner's friends, first visits confirmed in the month. */
    firstVisits: { type: Number, required: true, default: 0 },
    /** What the visits that earned commission were recorded for. */
    revenue: { type: Number, required: true, default: 0 },
    commission: { type: Number, required: true, default: 0 },
    adjustments: { type: Number, required: true, default: 0 },
    lines: { type: Number, required: true, default: 0 },
    due: { type: Number, required: true, default: 0 },
    closedAt: { type: Date, required: true },
    paid: { type: Boolean, default: false },
    paidAt: { type: Date },
    paidBy: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);
partnerStatementSchema.index({ month: 1 });
partnerStatementSchema.index({ partnerId: 1, month: 1 });

export type PartnerStatement = InferSchemaType<typeof partnerStatementSchema> & { _id: Types.ObjectId };

export function createPartnerStatementModel(connection: Connection) {
  return connection.model('PartnerStatement', partnerStatementSchema, 'partner_statements');
}
