import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose';

/**
 * The program rules, one document per saved version (services/program-rules.ts is the only
 * writer). Versions are never changed or deleted: a rollback stores a new version equal to an
 * older one. The unique `number` makes "the next version" a claim, so two processes starting
 * at once store one version 1, and two owners saving at once cannot both become version N.
 */
const programVersionSchema = new Schema(
  {
    number: { type: Number, required: true, unique: true },
    /** The whole rules document as parsed by the schema (src/program/schema.ts). */
    rules: { type: Schema.Types.Mixed, required: true },
    /** `file`: the rules file at the first start; `form`: saved in the back office; `rollback`: a copy of `rolledBackTo`. */
    source: { type: String, enum: ['file', 'form', 'rollback'], required: true },
    /** The owner who saved it (absent for the rules file). */
    savedBy: { type: Schema.Types.ObjectId },
    savedAt: { type: Date, required: true },
    note: { type: String, default: '' },
    rolledBackTo: { type: Number },
  },
  { versionKey: false, minimize: false },
);

export type ProgramVersion = InferSchemaType<typeof programVersionSchema> & { _id: Types.ObjectId };

export function createProgramVersionModel(connection: Connection) {
  return connection.model('ProgramVersion', programVersionSchema, 'program_versions');
}
