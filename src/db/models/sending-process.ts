import { Schema, type Connection } from 'mongoose';

/**
 * A process that delivers notifications, seen recently: processes sharing one database count
 * each other here to split the chat platforms' per-bot limits between them.
 */
const sendingProcessSchema = new Schema(
  {
    processId: { type: String, required: true, unique: true },
    seenAt: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);

export function createSendingProcessModel(connection: Connection) {
  return connection.model('SendingProcess', sendingProcessSchema, 'sending_processes');
}
