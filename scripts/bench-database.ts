import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { startEmbeddedMongo } from '../src/db/embedded.js';
import { createModels, ensureIndexes, type Models } from '../src/db/models/index.js';
import { createLogger } from '../src/logger.js';

/** A fresh database for a benchmark: MONGODB_URI's server when set, else an embedded one. */
export async function benchDatabase(name: string): Promise<{ connection: Connection; models: Models; server: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loyalty-bench-'));
  const embedded = process.env.MONGODB_URI
    ? undefined
    : await startEmbeddedMongo({ dataDir, database: name, logger: createLogger('warn'), allowBuild: true });
  const connection = await mongoose.createConnection(process.env.MONGODB_URI ?? embedded!.uri, { dbName: `bench_${name}_${Date.now()}` }).asPromise();
  const models = createModels(connection);
  await ensureIndexes(models);
  return {
    connection,
    models,
    server: embedded?.kind ?? 'MONGODB_URI',
    async close() {
      await connection.dropDatabase();
      await connection.close();
      await embedded?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
