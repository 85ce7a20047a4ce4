import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A partner of the shop: a person (a customer record, with their own code, link and QR) who
 * brings customers for a commission under one of the rules' partner plans. One per customer;
 * `status: 'ended'` keeps the record (and the statements) when the owner ends the partnership.
 */
const partnerSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true, unique: true },
    /** The plan's id in the program rules (partners.plans[].id). */
    planId: { type: String, required: true },
    status: { type: String, enum: ['active', 'ended'], default: 'active' },
    addedBy: { type: Schema.Types.ObjectId, required: true },
    addedAt: { type: Date, required: true },
    endedAt: { type: Date },
  },
  { versionKey: false },
);
partnerSchema.index({ status: 1 });

export type Partner = InferSchemaType<typeof partnerSchema> & { _id: Types.ObjectId };

export function createPartnerModel(connection: Connection) {
  return connection.model('Partner', partnerSchema, 'partners');
}
