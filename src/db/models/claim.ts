import { Schema, type Connection } from 'mongoose';

/**
 * "Only one caller may do this": a claim is an insert under a unique key, the one write
 * that is exclusive on every server we support. (FerretDB 1.x does not make guarded
 * single-document updates atomic; MongoDB does, but the code must be right on both.)
 */
const claimSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    by: { type: String },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export function createClaimModel(connection: Connection) {
  return connection.model('Claim', claimSchema, 'claims');
}
