import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { createModels, ensureIndexes, type Models } from '../../src/db/models/index.js';

/** A fresh database name on the test server, unique per call. */
export function testDatabaseName(label = 'db'): string {
  return `test_${label.replace(/\W+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

/** The test server's URI with another database name, for code that takes a whole URI. */
export function testDatabaseUri(name: string): string {
  const base = inject('mongoUri');
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  readonly connection: Connection;
  readonly models: Models;
  readonly uri: string;
}

/**
 * Gives the calling test file its own database on the real server, with every model's
 * indexes built; drops it after the file's tests.
 */
export function useTestDatabase(label?: string): TestDatabase {
  const name = testDatabaseName(label);
  const uri = testDatabaseUri(name);
  let connection: Connection | undefined;
  let models: Models | undefined;
  beforeAll(async () => {
    connection = await mongoose.createConnection(uri, { autoIndex: false }).asPromise();
    models = createModels(connection);
    await ensureIndexes(models);
  });
  afterAll(async () => {
    if (!connection) return;
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  });
  return {
    uri,
    get connection() {
      if (!connection) throw new Error('test database is not connected yet (use it inside tests or hooks)');
      return connection;
    },
    get models() {
      if (!models) throw new Error('test database is not connected yet (use it inside tests or hooks)');
      return models;
    },
  };
}
