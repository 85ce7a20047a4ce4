import { Schema, type Connection } from 'mongoose';

/** Small shared state that several processes must agree on (e.g. the owner setup code). */
const settingSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    value: { type: String, required: true },
    usedBy: { type: Schema.Types.ObjectId },
    usedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);

export function createSettingModel(connection: Connection) {
  return connection.model('Setting', settingSchema, 'settings');
}
