import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The monthly close of one business month (unique `month`, YYYY-MM): inserted first, so the
 * month is frozen from then on, and `closed` once every statement and message is recorded.
 * `summary` is the owner's reconciliation (services/program-reconciliation.ts `ProgramSummary`).
 */
const programCloseSchema = new Schema(
  {
    month: { type: String, required: true, unique: true },
    status: { type: String, enum: ['closing', 'closed'], default: 'closing' },
    startedAt: { type: Date, required: true },
    closedAt: { type: Date },
    summary: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);

export type ProgramClose = InferSchemaType<typeof programCloseSchema> & { _id: Types.ObjectId };

export function createProgramCloseModel(connection: Connection) {
  return connection.model('ProgramClose', programCloseSchema, 'program_closes');
}
