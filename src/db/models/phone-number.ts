import { Schema, type Connection } from 'mongoose';

/**
 * The verified holder of a phone number (the person's own Telegram contact); the unique index
 * makes one holder per number. Typed, unverified numbers live on the customer only.
 */
const phoneNumberSchema = new Schema(
  {
    phone: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
  },
  { timestamps: true, versionKey: false },
);

export function createPhoneNumberModel(connection: Connection) {
  return connection.model('PhoneNumber', phoneNumberSchema, 'phone_numbers');
}
