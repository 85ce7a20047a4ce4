import { Schema, type Connection } from 'mongoose';
import { referralChannels } from './customer.js';

/** A referral link or QR opened: the top of the conversion funnel, once per visitor, code and day. */
const linkOpenSchema = new Schema(
  {
    /**
     * `<code>:<business day>:<visitor hash>`: unique, so a visitor counts once a day. Sparse
     * because opens recorded before it existed have none.
     */
    key: { type: String, unique: true, sparse: true },
    code: { type: String, required: true },
    referrerId: { type: Schema.Types.ObjectId, required: true, index: true },
    via: { type: String, enum: referralChannels, required: true },
    at: { type: Date, required: true, index: true },
    /** The business day of `at` (see domain/schedule.ts dayKey). */
    atDay: { type: String, index: true },
  },
  { versionKey: false },
);

export function createLinkOpenModel(connection: Connection) {
  return connection.model('LinkOpen', linkOpenSchema, 'link_opens');
}
