import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Logger } from '../logger.js';
import { projectRoot } from '../paths.js';

/** A MongoDB-compatible server this process started for itself. */
export interface EmbeddedMongo {
  uri: string;
  kind: 'mongod' | 'ferretdb' | 'mongodb-memory-server';
  stop(): Promise<void>;
}

export class EmbeddedMongoError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      [
        'No database server could be started, and MONGODB_URI is not set. Tried:',
        ...attempts.map((a) => `  - ${a}`),
        'Do one of these, then run again:',
        '  - set MONGODB_URI=mongodb://host:27017/loyalty (in .env or the environment)',
        '  - put mongod (MongoDB 6+) on PATH',
        '  - install Go 1.22+ and run: npm run ferretdb:build',
      ].join('\n'),
    );
    this.name = 'EmbeddedMongoError';
  }
}

export const FERRETDB_VERSION = 'v1.24.0';

/** Where scripts/build-ferretdb.sh puts the binary (kept per machine, outside the clone). */
export function ferretdbCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.LOYALTY_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'loyalty-referral-bot');
  return path.join(cacheRoot, 'ferretdb', FERRETDB_VERSION, 'bin', 'ferretdb');
}

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const location = found.stdout.trim();
  return found.status === 0 && location ? location : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilAnswering(uri: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before answering`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, directConnection: true });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await client.close().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function startProcess(
  kind: 'mongod' | 'ferretdb',
  binary: string,
  args: (port: number) => string[],
  dataDir: string,
  database: string,
): Promise<EmbeddedMongo> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const log = createWriteStream(path.join(dataDir, `${kind}.log`), { flags: 'a' });
  const child = spawn(binary, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const uri = `mongodb://127.0.0.1:${port}/${database}`;
  try {
    await waitUntilAnswering(uri, child, 30_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    uri,
    kind,
    stop: async () => {
      await stopChild(child);
      log.end();
    },
  };
}

export interface EmbeddedMongoOptions {
  /** Data is kept here, one sub-folder per server kind, so a restart keeps it. */
  dataDir: string;
  database: string;
  logger: Logger;
  /** Build FerretDB with Go when no server binary is found (slow the first time). */
  allowBuild?: boolean;
}

/**
 * Starts a local MongoDB-compatible server, trying in order: mongod on PATH, a FerretDB
 * binary (on PATH, in the per-machine cache, or built now with Go), then
 * mongodb-memory-server (which downloads mongod where the network allows).
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const { dataDir, database, logger } = options;
  const attempts: string[] = [];

  const mongod = onPath('mongod');
  if (mongod) {
    try {
      const dir = path.join(dataDir, 'mongod');
      return await startProcess(
        'mongod',
        mongod,
        (port) => ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet'],
        dir,
        database,
      );
    } catch (error) {
      attempts.push(`mongod at ${mongod}: ${String(error)}`);
    }
  } else {
    attempts.push('mongod: not on PATH');
  }

  let ferretdb = onPath('ferretdb') ?? (existsSync(ferretdbCachePath()) ? ferretdbCachePath() : undefined);
  if (!ferretdb && options.allowBuild && onPath('go')) {
    logger.info('building FerretDB with Go (first start on this machine; about a minute)');
    const built = spawnSync('bash', [path.join(projectRoot, 'scripts', 'build-ferretdb.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (built.status === 0) ferretdb = built.stdout.trim().split('\n').pop();
    else attempts.push(`building FerretDB with Go failed (exit ${built.status})`);
  }
  if (ferretdb) {
    try {
      const dir = path.join(dataDir, 'ferretdb');
      return await startProcess(
        'ferretdb',
        ferretdb,
        (port) => [
          '--handler=sqlite',
          `--sqlite-url=file:${dir}/`,
          `--state-dir=${dir}`,
          `--listen-addr=127.0.0.1:${port}`,
          '--debug-addr=-',
          '--telemetry=disable',
          '--log-level=error',
        ],
        dir,
        database,
      );
    } catch (error) {
      attempts.push(`FerretDB at ${ferretdb}: ${String(error)}`);
    }
  } else {
    attempts.push(`FerretDB: not on PATH nor at ${ferretdbCachePath()}`);
  }

  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const dir = path.join(dataDir, 'mongodb-memory-server');
    mkdirSync(dir, { recursive: true });
    const server = await MongoMemoryServer.create({
      instance: { dbPath: dir, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
    });
    return {
      uri: server.getUri(database),
      kind: 'mongodb-memory-server',
      stop: async () => {
        await server.stop({ doCleanup: false });
      },
    };
  } catch (error) {
    attempts.push(`mongodb-memory-server: ${String(error).split('\n')[0]}`);
  }

  throw new EmbeddedMongoError(attempts);
}
