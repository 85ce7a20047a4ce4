import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Incoming chat updates, keyed by channel and the update's own id, so an update delivered
 * twice (webhook retry, polling restart) is handled once. A process inserts the key as a
 * claim (`handling`) before it handles the update, marks it `handled` once the replies went
 * out, and deletes it when handling failed, so a redelivery is handled. The unique index
 * makes the claim exclusive. Old entries are pruned by a scheduled job rather than a TTL
 * index, which FerretDB 1.x does not implement.
 */
const processedUpdateSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    // Entries from before claims existed have no state: they were handled.
    state: { type: String, enum: ['handling', 'handled'], required: true, default: 'handled' },
    /** The process holding a `handling` claim. */
    by: { type: String },
    processedAt: { type: Date, required: true, default: () => new Date(), index: true },
  },
  { versionKey: false },
);

export type ProcessedUpdate = InferSchemaType<typeof processedUpdateSchema>;

export function createProcessedUpdateModel(connection: Connection) {
  return connection.model('ProcessedUpdate', processedUpdateSchema, 'processed_updates');
}
