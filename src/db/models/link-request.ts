import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const linkRequestKinds = ['link', 'unlink'] as const;
export const linkOutcomes = ['linked', 'declined', 'refused', 'unlinked', 'kept'] as const;
export type LinkOutcome = (typeof linkOutcomes)[number];

/**
 * A change of which account a chat app belongs to, waiting for its account's yes or no.
 * `link`: `identity` (a new app's chat, owned by `fromCustomerId`) is to join `customerId`,
 * whose person entered that chat's one-time code. `unlink`: `identity` is to leave
 * `customerId` for an account of its own. The decision itself is a claim
 * (`connect_decision:<_id>`), so a double tap acts once; `outcome` records what was done.
 */
const linkRequestSchema = new Schema(
  {
    kind: { type: String, enum: linkRequestKinds, required: true },
    /** The account asked to confirm. */
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    identity: { type: String, required: true },
    fromCustomerId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true, index: true },
    outcome: { type: String, enum: linkOutcomes },
  },
  { timestamps: true, versionKey: false },
);

export type LinkRequest = InferSchemaType<typeof linkRequestSchema> & { _id: Types.ObjectId };

export function createLinkRequestModel(connection: Connection) {
  return connection.model('LinkRequest', linkRequestSchema, 'link_requests');
}
