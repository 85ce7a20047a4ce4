import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One paid membership period sold at the counter. A customer's periods form a chain: `seq`
 * 1, 2, 3... unique per customer, so two enrolments at once cannot both extend from the same
 * end (the second insert collides and is computed again from the first). `requestKey` (the
 * staff message or button) makes a retried enrolment a no-op. Written only by
 * services/memberships.ts.
 */
const membershipSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    requestKey: { type: String, required: true, unique: true },
    months: { type: Number, required: true },
    /** VND paid: the rules' price times the periods bought. */
    amount: { type: Number, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    /** When it was sold, by whom, and its business day (the reports count a day's sales by it). */
    at: { type: Date, required: true },
    atDay: { type: String, required: true, index: true },
    soldBy: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false },
);
membershipSchema.index({ customerId: 1, seq: 1 }, { unique: true });
membershipSchema.index({ endsAt: 1 });
membershipSchema.index({ at: 1 });

export type Membership = InferSchemaType<typeof membershipSchema> & { _id: Types.ObjectId };

export function createMembershipModel(connection: Connection) {
  return connection.model('Membership', membershipSchema, 'memberships');
}
