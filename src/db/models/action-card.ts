import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The buttons of one reply, registered as a one-time card: `token` is what the chat app sends
 * back (Telegram callback data, or the chat's last numbered list on Zalo), `identity` the only
 * person it works for, `actions` the command lines behind the buttons. Pressing claims the card
 * (a Claim under `action:<token>`, the exclusive write); `outcome` then says what was done, for
 * the answer to a second press. Written by the actions service only.
 */
const actionCardSchema = new Schema(
  {
    token: { type: String, required: true, unique: true },
    identity: { type: String, required: true },
    actions: { type: [String], required: true },
    expiresAt: { type: Date, required: true },
    doneAt: { type: Date },
    /** The first line of the answer the action gave, shown again on a second press. */
    outcome: { type: String },
  },
  { timestamps: true, versionKey: false },
);
// The maintenance sweep removes cards long past their expiry.
actionCardSchema.index({ expiresAt: 1 });

export type ActionCard = InferSchemaType<typeof actionCardSchema> & { _id: Types.ObjectId };

export function createActionCardModel(connection: Connection) {
  return connection.model('ActionCard', actionCardSchema, 'action_cards');
}
