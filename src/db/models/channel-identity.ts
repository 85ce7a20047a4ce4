import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** `telegram:<id>` or `zalo:<id>`, pointing at its customer; one customer may have several. */
const channelIdentitySchema = new Schema(
  {
    identity: { type: String, required: true, unique: true },
    customerId: { type: Schema.Types.ObjectId, required: true, index: true },
    channel: { type: String, enum: ['telegram', 'zalo'], required: true },
    /** Where to send: the private chat's id on that channel. */
    chatId: { type: String, required: true },
    displayName: { type: String, default: '' },
    lastSeenAt: { type: Date, default: () => new Date() },
  },
  { timestamps: true, versionKey: false },
);

export type ChannelIdentity = InferSchemaType<typeof channelIdentitySchema> & { _id: Types.ObjectId };

export function createChannelIdentityModel(connection: Connection) {
  return connection.model('ChannelIdentity', channelIdentitySchema, 'channel_identities');
}
