import { Schema, type Connection } from 'mongoose';

/**
 * The numbered list last shown in a chat without buttons (Zalo): replying "2" presses the
 * second button of that action card. Kept in MongoDB so any process can answer the reply;
 * written by the actions service only.
 */
const pendingChoiceSchema = new Schema(
  {
    identity: { type: String, required: true, unique: true },
    /** The ActionCard the numbers refer to. */
    token: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);

export function createPendingChoiceModel(connection: Connection) {
  return connection.model('PendingChoice', pendingChoiceSchema, 'pending_choices');
}
