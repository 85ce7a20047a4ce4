import { Schema, type Connection } from 'mongoose';

/**
 * Requests per client in the current window, shared by every process. Written by
 * rate-limiter-flexible's MongoDB store (see src/http/rate-limit.ts); declared here for its
 * indexes and the daily clean-up (FerretDB has no TTL indexes). Keys are salted hashes,
 * never a client address.
 */
const rateLimitSchema = new Schema(
  {
    key: { type: String, required: true, unique: true },
    points: { type: Number, required: true },
    expire: { type: Date, index: true },
  },
  { versionKey: false },
);

export function createRateLimitModel(connection: Connection) {
  return connection.model('RateLimit', rateLimitSchema, 'rate_limits');
}
