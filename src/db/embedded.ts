import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { projectRoot } from '../paths.js';
import { EMBEDDED_KINDS, type EmbeddedKind } from './embedded-kinds.js';
import { onPath, startMongoProcess, type EmbeddedMongo } from './embedded-process.js';
import { findPostgresBinaries, startPostgresCluster } from './postgres-cluster.js';

export type { EmbeddedMongo } from './embedded-process.js';
export { EMBEDDED_KINDS, type EmbeddedKind } from './embedded-kinds.js';

export class EmbeddedMongoError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      [
        'No database server could be started, and MONGODB_URI is not set. Tried:',
        ...attempts.map((a) => `  - ${a}`),
        'Do one of these, then run again:',
        '  - set MONGODB_URI=mongodb://host:27017/loyalty (in .env or the environment)',
        '  - put mongod (MongoDB 6+) on PATH',
        '  - install PostgreSQL (Debian: apt-get install postgresql) and Go 1.22+, then run: npm run ferretdb:build',
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

/** Why FerretDB on SQLite is the last resort; logged at start and shown in the banner. */
export const SQLITE_WARNING =
  'FerretDB on SQLite is slow: every filter on a field other than _id scans the whole collection (61 lookups/s at 1,000 documents, against 1,190/s on PostgreSQL), so the bot slows down as the shop grows. Install PostgreSQL (Debian: apt-get install postgresql) or set MONGODB_URI.';

export interface EmbeddedMongoOptions {
  /** Data is kept here, one sub-folder per server kind, so a restart keeps it. */
  dataDir: string;
  database: string;
  logger: Logger;
  /** Build FerretDB with Go when no server binary is found (slow the first time). */
  allowBuild?: boolean;
  /** The kinds to try, in the chain's order (EMBEDDED_DATABASE); all by default. */
  kinds?: readonly EmbeddedKind[];
  /** Where mongod and PostgreSQL's binaries are looked for (its PATH); the process's by default. */
  env?: NodeJS.ProcessEnv;
}

type Step = (options: EmbeddedMongoOptions, attempts: string[]) => Promise<EmbeddedMongo | undefined>;

const startMongod: Step = async ({ dataDir, database, env }, attempts) => {
  const mongod = onPath('mongod', env);
  if (!mongod) return void attempts.push('mongod: not on PATH');
  const dir = path.join(dataDir, 'mongod');
  return startMongoProcess('mongod', mongod, (port) => ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port), '--quiet'], dir, database);
};

// Loaded only when tried: mongodb-memory-server and its download chain (about 140 files) cost
// about 3 MB of heap and more than that of start-up garbage.
const memoryServer: Step = async ({ dataDir, database, logger }) => {
  const { startMemoryServer } = await import('./memory-server.js');
  return startMemoryServer(path.join(dataDir, 'mongodb-memory-server'), database, logger);
};

function ferretdbBinary({ allowBuild, logger, env }: EmbeddedMongoOptions, attempts: string[]): string | undefined {
  const found = onPath('ferretdb', env) ?? (existsSync(ferretdbCachePath()) ? ferretdbCachePath() : undefined);
  if (found || !allowBuild || !onPath('go', env)) {
    if (!found) attempts.push(`FerretDB: not on PATH nor at ${ferretdbCachePath()}, and Go is not installed to build it`);
    return found;
  }
  logger.info('building FerretDB with Go (first start on this machine; about a minute)');
  const built = spawnSync('bash', [path.join(projectRoot, 'scripts', 'build-ferretdb.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (built.status === 0) return built.stdout.trim().split('\n').pop();
  attempts.push(`building FerretDB with Go failed (exit ${built.status})`);
  return undefined;
}

const ferretdbArgs = (dir: string, port: number) => [
  `--state-dir=${dir}`,
  `--listen-addr=127.0.0.1:${port}`,
  '--debug-addr=-',
  '--telemetry=disable',
  '--log-level=error',
];

const ferretdbPostgres: Step = async (options, attempts) => {
  const binaries = findPostgresBinaries(options.env);
  if (!binaries) return void attempts.push('PostgreSQL: no initdb/postgres on PATH nor in /usr/lib/postgresql/<version>/bin');
  const ferretdb = ferretdbBinary(options, attempts);
  if (!ferretdb) return undefined;
  const cluster = await startPostgresCluster(binaries, path.join(options.dataDir, 'postgres'));
  try {
    const dir = path.join(options.dataDir, 'ferretdb-postgresql');
    const server = await startMongoProcess(
      'ferretdb-postgresql',
      ferretdb,
      (port) => ['--handler=postgresql', `--postgresql-url=${cluster.url}`, ...ferretdbArgs(dir, port)],
      dir,
      options.database,
    );
    return { ...server, stop: () => server.stop().finally(() => cluster.stop()) };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
};

const ferretdbSqlite: Step = async (options, attempts) => {
  const ferretdb = ferretdbBinary(options, attempts);
  if (!ferretdb) return undefined;
  // The folder keeps its old name so data written before PostgreSQL came first is found again.
  const dir = path.join(options.dataDir, 'ferretdb');
  const server = await startMongoProcess(
    'ferretdb-sqlite',
    ferretdb,
    (port) => ['--handler=sqlite', `--sqlite-url=file:${dir}/`, ...ferretdbArgs(dir, port)],
    dir,
    options.database,
  );
  options.logger.warn({ kind: server.kind }, SQLITE_WARNING);
  return server;
};

const steps: Record<EmbeddedKind, Step> = {
  mongod: startMongod,
  'mongodb-memory-server': memoryServer,
  'ferretdb-postgresql': ferretdbPostgres,
  'ferretdb-sqlite': ferretdbSqlite,
};

/**
 * Starts a local MongoDB-compatible server, trying in order: mongod on PATH; a real mongod
 * through mongodb-memory-server (cached, or downloaded where the network allows; gives up in
 * seconds offline); FerretDB on a private PostgreSQL cluster when PostgreSQL's server binaries
 * are installed; FerretDB on SQLite as the last resort (slow; see SQLITE_WARNING).
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const attempts: string[] = [];
  const wanted = new Set(options.kinds ?? EMBEDDED_KINDS);
  for (const kind of EMBEDDED_KINDS.filter((k) => wanted.has(k))) {
    const started = Date.now();
    try {
      const server = await steps[kind](options, attempts);
      if (server) {
        options.logger.info({ kind, ms: Date.now() - started, unavailable: attempts }, 'embedded database answering');
        return server;
      }
    } catch (error) {
      attempts.push(`${kind}: ${String(error).split('\n')[0]}`);
    }
    options.logger.debug({ kind, ms: Date.now() - started }, 'embedded database kind unavailable');
  }
  throw new EmbeddedMongoError(attempts);
}
