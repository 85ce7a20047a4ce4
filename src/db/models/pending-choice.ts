import { Schema, type Connection } from 'mongoose';

/**
 * The numbered choices last shown in a chat without buttons (Zalo): replying "2" runs the
 * second action. Kept in MongoDB so any process can answer the reply.
 */
const pendingChoiceSchema = new Schema(
  {
    identity: { type: String, required: true, unique: true },
    actions: { type: [String], required: true },
  },
  { timestamps: true, versionKey: false },
);

export function createPendingChoiceModel(connection: Connection) {
  return connection.model('PendingChoice', pendingChoiceSchema, 'pending_choices');
}
