import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** A suspicion for the owner to review; `key` records each rule once per cause. */
const fraudFlagSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    rule: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ['open', 'dismissed', 'confirmed'], default: 'open', index: true },
    resolvedBy: { type: Schema.Types.ObjectId },
    resolvedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);

export type FraudFlag = InferSchemaType<typeof fraudFlagSchema> & { _id: Types.ObjectId; createdAt: Date };

export function createFraudFlagModel(connection: Connection) {
  return connection.model('FraudFlag', fraudFlagSchema, 'fraud_flags');
}
