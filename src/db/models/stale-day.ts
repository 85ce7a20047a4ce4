import { Schema, type Connection } from 'mongoose';

/**
 * "A figure of this closed business day changed": inserted by a correction (a fraud
 * reversal, a late step of a retried visit, an account discarded), removed by the rebuild
 * that read it. Inserts rather than a flag on the rollup, because FerretDB does not make
 * concurrent updates of one document atomic: a mark made during a rebuild survives it.
 */
const staleDaySchema = new Schema(
  {
    start: { type: Date, required: true, index: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export function createStaleDayModel(connection: Connection) {
  return connection.model('StaleDay', staleDaySchema, 'stale_days');
}
