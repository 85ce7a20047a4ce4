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
