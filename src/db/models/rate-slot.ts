import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Shared rate limits (per-person flood limit, per-chat send spacing) as claims: each slot
 * is an insert under a unique key, the one write that is exclusive on FerretDB 1.x too
 * (it does not make concurrent `$inc` on one document atomic). `scope` groups the slots
 * counted together; `seq` orders them. Pruned by the daily maintenance job (no TTL index
 * on FerretDB).
 */
const rateSlotSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    scope: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);
rateSlotSchema.index({ scope: 1, seq: -1 });

export type RateSlot = InferSchemaType<typeof rateSlotSchema>;

export function createRateSlotModel(connection: Connection) {
  return connection.model('RateSlot', rateSlotSchema, 'rate_slots');
}
