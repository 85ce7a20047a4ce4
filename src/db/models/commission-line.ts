import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One commission a partner earns from one visit of a customer they brought (services/commissions.ts).
 * `key` makes deriving it idempotent: `visit:<visitId>`; a visit undone after its month closed
 * gives the negative `adjust:<visitId>:<month>` in the month of the undo. `status: 'void'`: the
 * visit was undone while its month was open, so it counts for nothing. Money is whole VND.
 */
const commissionLineSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    /** The partner's customer id. */
    partnerId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    visitId: { type: Schema.Types.ObjectId, required: true },
    visitAt: { type: Date, required: true },
    /** What the visit was recorded for (0 when staff gave no amount). */
    visitAmount: { type: Number, required: true, default: 0 },
    planId: { type: String, required: true },
    rule: {
      type: new Schema(
        { kind: { type: String, enum: ['revenue_share', 'first_visit'], required: true }, percent: Number, days: Number, amount: Number },
        { _id: false },
      ),
      required: true,
    },
    commission: { type: Number, required: true },
    /** The business month (YYYY-MM) the line counts in. */
    month: { type: String, required: true },
    status: { type: String, enum: ['counted', 'void'], default: 'counted' },
    /** A correction of a month already closed: counted in `month`, the one open when it was made. */
    adjustment: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    voidedAt: { type: Date },
  },
  { versionKey: false },
);
commissionLineSchema.index({ month: 1, partnerId: 1 });
commissionLineSchema.index({ partnerId: 1, month: 1 });

export type CommissionLine = InferSchemaType<typeof commissionLineSchema> & { _id: Types.ObjectId };

export function createCommissionLineModel(connection: Connection) {
  return connection.model('CommissionLine', commissionLineSchema, 'commission_lines');
}
