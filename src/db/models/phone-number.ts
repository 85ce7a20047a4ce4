import { Schema, type Connection } from 'mongoose';

/** A phone number claimed by one customer; the unique index makes the claim race-safe. */
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
