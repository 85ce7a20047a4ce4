import mongoose, { type Connection } from 'mongoose';

/**
 * Opens a Mongoose connection of its own (not the global default), so tests and several
 * app instances in one process never share state.
 */
export async function connectMongo(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 10_000,
    // Indexes are built explicitly at start-up (see ensureIndexes), before any write.
    autoIndex: false,
    autoCreate: true,
  });
  await connection.asPromise();
  return connection;
}

/** True when the server answers a ping within a second. */
export async function pingMongo(connection: Connection): Promise<boolean> {
  if (connection.readyState !== mongoose.ConnectionStates.connected || !connection.db) return false;
  try {
    await Promise.race([
      connection.db.admin().command({ ping: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), 1000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

const UNAVAILABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * True when an error means the database could not be reached (server down, network gone,
 * Mongoose gave up waiting for a connection), as opposed to a bug or a refused write: the
 * work should be retried once the database is back. Looks through wrapped errors (grammY's
 * BotError keeps the original in `error`).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { name, message, cause, error: inner } = error as { name?: string; message?: string; cause?: unknown; error?: unknown };
  if (name && UNAVAILABLE.has(name)) return true;
  if (name === 'MongooseError' && /buffering timed out/.test(message ?? '')) return true;
  return isDatabaseUnavailable(cause, depth + 1) || isDatabaseUnavailable(inner, depth + 1);
}
