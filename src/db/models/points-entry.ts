import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** The points ledger: every change with its cause; `causeKey` applies each cause once. */
const pointsEntrySchema = new Schema(
  {
    causeKey: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    delta: { type: Number, required: true },
    /**
     * `reversal`: a negative entry undoing a referral the owner confirmed as fraud.
     * `import`: the points a customer had in the shop's own list (causeKey `import:<phone>`).
     */
    cause: { type: String, enum: ['visit', 'referral', 'bonus', 'reversal', 'import'], required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export type PointsEntry = InferSchemaType<typeof pointsEntrySchema> & { _id: Types.ObjectId };

export function createPointsEntryModel(connection: Connection) {
  return connection.model('PointsEntry', pointsEntrySchema, 'points_entries');
}
