import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMongoError, startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from '../../src/db/embedded.js';
import { findPostgresBinaries } from '../../src/db/postgres-cluster.js';
import { createLogger } from '../../src/logger.js';
import { ferretdbBinary } from '../support/ferretdb.js';
import { runApp } from '../support/app-process.js';

// CI installs PostgreSQL and builds FerretDB, so there these tests must run, never skip.
const postgresHere = !!findPostgresBinaries() && !!ferretdbBinary;
const canRun = postgresHere || !!process.env.CI;

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `loyalty-embedded-${label}-`));
  // mkdtemp makes it 0700; PostgreSQL, run as user postgres when we are root, must pass through.
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
};

/** A download mirror that accepts connections and never answers: a network that drops packets. */
let silentMirror: Server;
const mirrorSockets = new Set<Socket>();
const savedEnv = { ...process.env };

beforeAll(async () => {
  silentMirror = createServer((socket) => void mirrorSockets.add(socket));
  await new Promise<void>((resolve) => silentMirror.listen(0, '127.0.0.1', resolve));
  const address = silentMirror.address();
  // No cached mongod and an unreachable download: mongodb-memory-server's step must give up.
  process.env.MONGOMS_DOWNLOAD_DIR = tempDir('mongod-cache');
  process.env.MONGOMS_DOWNLOAD_MIRROR = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 9}`;
});

afterAll(async () => {
  process.env = savedEnv;
  for (const server of servers.reverse()) await server.stop().catch(() => undefined);
  for (const socket of mirrorSockets) socket.destroy();
  await new Promise((resolve) => silentMirror.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A PATH with the system's tools but no mongod, plus `extra` folders first. */
const pathWithoutMongod = (...extra: string[]) => ({ ...process.env, PATH: [...extra, '/usr/bin', '/bin'].join(':') });

/** Every server a test starts, stopped after the file even when an assertion failed half-way. */
const servers: EmbeddedMongo[] = [];
const start = async (opts: EmbeddedMongoOptions) => {
  const server = await startEmbeddedMongo(opts);
  servers.push(server);
  return server;
};

const options = (dataDir: string, more: Partial<EmbeddedMongoOptions> = {}): EmbeddedMongoOptions => ({
  dataDir,
  database: 'shop',
  logger: createLogger('silent'),
  env: pathWithoutMongod(),
  ...more,
});

async function withClient<T>(uri: string, use: (client: MongoClient) => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs }).connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

describe.skipIf(!canRun)('the embedded database without MONGODB_URI', () => {
  it('runs FerretDB on a private PostgreSQL cluster under DATA_DIR, and keeps the data across a restart', async () => {
    const dataDir = tempDir('data');
    const first = await start(options(dataDir));
    expect(first.kind).toBe('ferretdb-postgresql');
    await withClient(first.uri, (c) => c.db().collection('customers').insertOne({ code: 'ABC234', name: 'Lan' }));
    await first.stop();

    const second = await start(options(dataDir));
    expect(second.kind).toBe('ferretdb-postgresql');
    const found = await withClient(second.uri, (c) => c.db().collection('customers').findOne({ code: 'ABC234' }));
    await second.stop();
    expect(found?.name).toBe('Lan');
    // The cluster is PostgreSQL's own data directory inside DATA_DIR, and it listens on no TCP port.
    expect(readFileSync(path.join(dataDir, 'postgres', 'data', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect(readFileSync(path.join(dataDir, 'postgres', 'data', 'postmaster.opts'), 'utf8')).toContain('listen_addresses=');
  });

  it('ends the servers a killed app left running, and starts on a stale postmaster.pid', async () => {
    const dataDir = tempDir('leftover');
    // Started and never stopped: as if the app had been killed with SIGKILL.
    const abandoned = await start(options(dataDir));
    await withClient(abandoned.uri, (c) => c.db().collection('visits').insertOne({ n: 1 }));
    const postmaster = Number(readFileSync(path.join(dataDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

    const next = await start(options(dataDir));
    expect(() => process.kill(postmaster, 0)).toThrow();
    await expect(withClient(abandoned.uri, (c) => c.db().command({ ping: 1 }), 1_000)).rejects.toThrow();
    const postmasterNow = Number(readFileSync(path.join(dataDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    // PostgreSQL killed outright leaves its pid file behind.
    process.kill(postmasterNow, 'SIGKILL');
    await next.stop();

    const after = await start(options(dataDir));
    expect(after.kind).toBe('ferretdb-postgresql');
    const count = await withClient(after.uri, (c) => c.db().collection('visits').countDocuments({}));
    await after.stop();
    expect(count).toBe(1);
  });

  it('tries the kinds in order, says why each earlier one was passed over, and gives up on an unreachable download in seconds', async () => {
    const bin = tempDir('bin');
    writeFileSync(path.join(bin, 'mongod'), '#!/bin/sh\nexit 3\n');
    chmodSync(path.join(bin, 'mongod'), 0o755);

    const started = Date.now();
    const failed = await startEmbeddedMongo(
      options(tempDir('order'), { env: pathWithoutMongod(bin), kinds: ['mongod', 'mongodb-memory-server'] }),
    ).catch((error: unknown) => error);
    // The library alone would wait a minute per attempt on this silent mirror, three attempts.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(failed).toBeInstanceOf(EmbeddedMongoError);
    const attempts = (failed as EmbeddedMongoError).attempts;
    expect(attempts[0]).toMatch(/^mongod: .*exited with code 3/);
    expect(attempts[1]).toMatch(/^mongodb-memory-server: .*not reachable.*the download was not attempted/);
    expect(attempts).toHaveLength(2);
    expect((failed as Error).message).toContain('set MONGODB_URI=');
  });

  it('falls back to FerretDB on SQLite only when PostgreSQL is ruled out, and npm start warns that it is slow', async () => {
    const dataDir = tempDir('sqlite');
    const app = runApp({
      PORT: '0',
      DATA_DIR: dataDir,
      DEFAULT_LOCALE: 'en',
      LOG_LEVEL: 'warn',
      EMBEDDED_DATABASE: 'mongod,mongodb-memory-server,ferretdb-sqlite',
      MONGOMS_DOWNLOAD_DIR: process.env.MONGOMS_DOWNLOAD_DIR ?? '',
      MONGOMS_DOWNLOAD_MIRROR: process.env.MONGOMS_DOWNLOAD_MIRROR ?? '',
    });
    await app.waitFor('MONGODB_URI:', 60_000);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const output = app.output();
    expect(output).toContain('Database: FerretDB on SQLite');
    expect(output).toContain('Warning: this database is slow');
    expect(output).toMatch(/"level":40.*FerretDB on SQLite is slow: every filter on a field other than _id scans/);
    expect(output).not.toContain('Database: FerretDB on PostgreSQL');
    expect(readdirSync(path.join(dataDir, 'ferretdb')).some((f) => f.endsWith('.sqlite'))).toBe(true);
    // Starts the real process and waits up to a minute for its banner (slow when the suite runs beside it).
  }, 90_000);
});
