import { Schema, type Connection } from 'mongoose';

/**
 * Small shared state that several processes must agree on: the owner setup code, and
 * tickets (short-lived codes and tokens that stand for a customer until `expiresAt`).
 */
const settingSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    value: { type: String, required: true },
    /** When a ticket stops working; expired ones are deleted by the maintenance job. */
    expiresAt: { type: Date, index: true },
  },
  { timestamps: true, versionKey: false },
);

export function createSettingModel(connection: Connection) {
  return connection.model('Setting', settingSchema, 'settings');
}
