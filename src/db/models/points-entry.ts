import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The points ledger: every change with its cause; `causeKey` applies each cause once. `delta`
 * changes the points balance; an entry also counts towards lifetime points (tiers) unless
 * `earned` is false (a catalogue claim, an expiry). Entries written before the wallet have
 * no `earned` and count as earned.
 */
const pointsEntrySchema = new Schema(
  {
    causeKey: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    delta: { type: Number, required: true },
    /**
     * `reversal`: a negative entry undoing a referral the owner confirmed as fraud. `undo`: a
     * negative entry taking back the points of an undone visit or referral; `adjustment`: the
     * owner's correction (see services/corrections.ts). `claim` and `expiry` spend the balance.
     * `import`: the points a customer had in the shop's own list (causeKey `import:<phone>`).
     */
    cause: { type: String, enum: ['visit', 'referral', 'bonus', 'reversal', 'claim', 'expiry', 'undo', 'adjustment', 'import'], required: true },
    earned: { type: Boolean },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export type PointsEntry = InferSchemaType<typeof pointsEntrySchema> & { _id: Types.ObjectId };

export function createPointsEntryModel(connection: Connection) {
  return connection.model('PointsEntry', pointsEntrySchema, 'points_entries');
}
