import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedMongo } from '../../src/db/embedded.js';
import { createLogger } from '../../src/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real MongoDB-compatible server for this run; each test file uses its own database on it. */
    mongoUri: string;
  }
}

/**
 * Uses MONGODB_URI when set (CI starts FerretDB or mongod); otherwise starts a local
 * server the same way `npm start` does (mongod, mongodb-memory-server, FerretDB on PostgreSQL,
 * FerretDB on SQLite).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external) {
    project.provide('mongoUri', external);
    return () => Promise.resolve();
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loyalty-test-db-'));
  // mkdtemp makes it private; run as root, PostgreSQL's cluster inside belongs to "postgres", which must pass through.
  chmodSync(dataDir, 0o755);
  const embedded = await startEmbeddedMongo({
    dataDir,
    database: 'test',
    logger: createLogger('warn'),
    allowBuild: true,
  });
  project.provide('mongoUri', embedded.uri);
  return async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
