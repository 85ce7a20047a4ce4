import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { audienceKinds, type AnnouncementFigures, type AudienceKind } from '../../domain/announcements.js';

export const announcementStatuses = ['draft', 'recording', 'recorded'] as const;
export type AnnouncementStatus = (typeof announcementStatuses)[number];

/**
 * The owner's message to the customers who said yes to offers (services/announcements.ts).
 * `_id` is the compose form's id, so a form sent twice is one announcement. A draft becomes
 * `recording` once sent (a claim makes the send once); the recording job writes one
 * notification per recipient in batches, keeping `recordedUpTo` (the last customer id done)
 * so a restart carries on, then `recorded` with the number of `recipients`.
 */
const announcementSchema = new Schema(
  {
    status: { type: String, required: true, enum: announcementStatuses, default: 'draft' },
    text: { vi: { type: String, required: true }, en: { type: String, required: true } },
    audience: {
      kind: { type: String, required: true, enum: audienceKinds },
      tier: { type: String },
      days: { type: Number },
    },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    sentBy: { type: Schema.Types.ObjectId },
    sentAt: { type: Date },
    /** "Not seen for N days", fixed at the send: the last seen day is before this one. */
    notSeenBefore: { type: String },
    recordedUpTo: { type: Schema.Types.ObjectId },
    recordedAt: { type: Date },
    recipients: { type: Number },
    /** What became of the messages, kept once none is waiting any more (services/announcements.ts). */
    figures: {
      type: new Schema({ recipients: Number, sent: Number, delivered: Number, failed: Number, withdrawn: Number, waiting: Number }, { _id: false }),
    },
  },
  { timestamps: true, versionKey: false },
);
announcementSchema.index({ status: 1, sentAt: -1 });

export type Announcement = Omit<InferSchemaType<typeof announcementSchema>, 'text' | 'audience' | 'figures'> & {
  figures?: AnnouncementFigures | null;
  _id: Types.ObjectId;
  text: { vi: string; en: string };
  audience: { kind: AudienceKind; tier?: string | null; days?: number | null };
  createdAt: Date;
  updatedAt: Date;
};

export function createAnnouncementModel(connection: Connection) {
  return connection.model('Announcement', announcementSchema, 'announcements');
}
