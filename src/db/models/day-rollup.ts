import type { Types } from 'mongoose';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One business day's report figures (see services/rollups.ts), computed from the day's
 * records once the day has closed and written whole, keyed by the day's first instant in
 * the shop's time zone (so a change of time zone never reuses another zone's days).
 */
const dayRollupSchema = new Schema(
  {
    start: { type: Date, required: true, unique: true },
    end: { type: Date, required: true },
    /** yyyy-mm-dd in the shop's time zone, for people reading the collection. */
    date: { type: String, required: true },
    /** The figures' shape: a rollup of another version is built again. */
    version: { type: Number, required: true },
    figures: { type: Schema.Types.Mixed, required: true },
    builtAt: { type: Date, required: true },
    /**
     * The kinds of records (services/figures.ts prunedFigures) the retention job removed, or is
     * about to remove, for this day: a rebuild keeps their figures from here, never from what is left.
     */
    pruned: { type: [String], default: undefined },
  },
  // Empty maps (no referrer that day) are figures too.
  { versionKey: false, minimize: false },
);

export type DayRollup = InferSchemaType<typeof dayRollupSchema> & { _id: Types.ObjectId };

export function createDayRollupModel(connection: Connection) {
  return connection.model('DayRollup', dayRollupSchema, 'day_rollups');
}
