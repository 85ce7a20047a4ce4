import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Incoming chat updates already handled, keyed by channel and the update's own id, so an
 * update delivered twice (webhook retry, polling restart) is handled once. The unique
 * index does the deduplication. Old entries are pruned by a scheduled job rather than a
 * TTL index, which FerretDB 1.x does not implement.
 */
const processedUpdateSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    processedAt: { type: Date, required: true, default: () => new Date(), index: true },
  },
  { versionKey: false },
);

export type ProcessedUpdate = InferSchemaType<typeof processedUpdateSchema>;

export function createProcessedUpdateModel(connection: Connection) {
  return connection.model('ProcessedUpdate', processedUpdateSchema, 'processed_updates');
}
