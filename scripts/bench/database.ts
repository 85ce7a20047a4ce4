import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose, { type Connection } from 'mongoose';
import { createModels, ensureIndexes, type Models } from '../../src/db/models/index.js';
import { projectRoot } from '../../src/paths.js';

export interface BenchServer {
  /** The server's base URI; each part of the run uses its own database on it. */
  uri: string;
  /** What it is, for the results: e.g. "FerretDB v1.24.0 on PostgreSQL 15". */
  kind: string;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  connection: Connection;
  models: Models;
  /** The URI of this database, for the app. */
  uri: string;
  drop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * MONGODB_URI's server when set; else FerretDB on PostgreSQL started by
 * scripts/ferretdb-postgres.sh (the server CI and the tests use), stopped at the end.
 */
export async function startBenchServer(): Promise<BenchServer> {
  if (process.env.MONGODB_URI) {
    const uri = process.env.MONGODB_URI;
    const connection = await mongoose.createConnection(uri).asPromise();
    const info = (await connection.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    await connection.close();
    const kind = info.ferretdbVersion ? `FerretDB ${info.ferretdbVersion} (MONGODB_URI)` : `MongoDB ${info.version ?? '?'} (MONGODB_URI)`;
    return { uri, kind, stop: () => Promise.resolve() };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loyalty-bench-db-'));
  const port = await freePort();
  const { stdout, stderr } = await promisify(execFile)(
    'bash',
    [path.join(projectRoot, 'scripts', 'ferretdb-postgres.sh'), String(port), 'loyalty_bench', dir],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const [pid, uri] = stdout.trim().split('\n').at(-1)!.split(' ');
  // A crash of the benchmark must not leave the server running (the next run could not reset its database).
  const killServer = () => {
    try {
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killServer);
  const described = /FerretDB (?:version: )?(\S+) on PostgreSQL (\S+)/.exec(stderr);
  return {
    uri: uri!,
    kind: described ? `FerretDB ${described[1]} on PostgreSQL ${described[2]}` : 'FerretDB on PostgreSQL',
    stop() {
      process.off('exit', killServer);
      killServer();
      spawnSync('bash', ['-c', `while kill -0 ${Number(pid)} 2>/dev/null; do sleep 0.1; done`], { timeout: 10_000 });
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** A fresh database on the server with every model's indexes built. */
export async function openDatabase(server: BenchServer, name: string): Promise<BenchDatabase> {
  const url = new URL(server.uri);
  url.pathname = `/bench_${name}_${Date.now()}`;
  const uri = url.toString();
  const connection = await mongoose.createConnection(uri, { autoIndex: false }).asPromise();
  const models = createModels(connection);
  await ensureIndexes(models);
  return {
    connection,
    models,
    uri,
    async drop() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

export function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
