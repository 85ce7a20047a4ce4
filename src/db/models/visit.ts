import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A visit confirmed by staff. `key` makes recording idempotent: `first:<customerId>` for
 * the first visit, `visit:<request key>` for later ones; an undone visit's key becomes
 * `undone:<visit id>`, so the customer's next first visit can be recorded.
 */
const visitSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    staffId: { type: Schema.Types.ObjectId, required: true },
    first: { type: Boolean, required: true },
    amount: { type: Number },
    points: { type: Number, required: true },
    /** Set when the customer came through a referral: revenue from referred customers. */
    referred: { type: Boolean, default: false },
    at: { type: Date, required: true },
    /** The business day of `at` (see domain/schedule.ts dayKey). */
    atDay: { type: String },
    /** Set when staff or the owner undid the visit (see services/corrections.ts): it counts for nothing since. */
    undoneAt: { type: Date },
    undoneBy: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);
visitSchema.index({ at: 1 });
visitSchema.index({ atDay: 1, first: 1 });
visitSchema.index({ atDay: 1, referred: 1 });
// A staff member's last recorded visit (their /undo).
visitSchema.index({ staffId: 1, at: -1 });
// A customer's last visit (the owner's /undo <customer>).
visitSchema.index({ customerId: 1, at: -1 });

export type Visit = InferSchemaType<typeof visitSchema> & { _id: Types.ObjectId };

export function createVisitModel(connection: Connection) {
  return connection.model('Visit', visitSchema, 'visits');
}
