import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const consentKinds = ['program', 'marketing'] as const;
export type ConsentKind = (typeof consentKinds)[number];

/**
 * The history of a person's choices about their data: each agreement to (or refusal of) a
 * version of the privacy notice, and each change of the marketing opt-in. `key` makes a
 * redelivered update or a second press record once (agreements: one per customer, kind,
 * version and answer; marketing changes: one per update). Written by the consent service only.
 */
const consentSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    kind: { type: String, enum: consentKinds, required: true },
    given: { type: Boolean, required: true },
    /** The notice version the choice was made under. */
    version: { type: String, required: true },
    at: { type: Date, required: true },
    /** The chat app it was made in. */
    via: { type: String, enum: ['telegram', 'zalo'], required: true },
  },
  { versionKey: false },
);

export type Consent = InferSchemaType<typeof consentSchema> & { _id: Types.ObjectId };

export function createConsentModel(connection: Connection) {
  return connection.model('Consent', consentSchema, 'consents');
}
