import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DryMongoBinary, MongoMemoryServer } from 'mongodb-memory-server-core';
import { resolveConfig, ResolveConfigVariables } from 'mongodb-memory-server-core/lib/util/resolveConfig.js';
import type { Logger } from '../logger.js';
import type { EmbeddedMongo } from './embedded-process.js';

/** How long the download server may take to answer before we call the machine offline. */
export const DOWNLOAD_PROBE_MS = 3_000;

/** Where mongodb-memory-server would download mongod from (its MONGOMS_DOWNLOAD_URL / _MIRROR settings). */
function downloadOrigin(): string {
  const url =
    resolveConfig(ResolveConfigVariables.DOWNLOAD_URL) ?? resolveConfig(ResolveConfigVariables.DOWNLOAD_MIRROR) ?? 'https://fastdl.mongodb.org';
  return new URL(url).origin;
}

const usesProxy = (env: NodeJS.ProcessEnv) => ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'npm_config_proxy'].some((k) => env[k]);

/**
 * Whether the download server answers at all, within a few seconds. Offline, the library itself
 * would retry with back-off (7 s on a failing name lookup) or wait a minute per attempt for a
 * silent network. Behind a proxy (which fetch does not use) the library is left to decide.
 */
async function downloadReachable(): Promise<string | undefined> {
  if (usesProxy(process.env)) return undefined;
  const origin = downloadOrigin();
  try {
    await fetch(origin, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(DOWNLOAD_PROBE_MS) });
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return `no mongod cached and ${origin} is not reachable (${cause}); the download was not attempted`;
  }
}

/**
 * A real mongod run by mongodb-memory-server with its data kept in `dir`: the binary it cached
 * before, or its download where the network allows. Throws at once (a few seconds at most) offline.
 */
export async function startMemoryServer(dir: string, database: string, logger: Logger): Promise<EmbeddedMongo> {
  const cached = await DryMongoBinary.locateBinary(await DryMongoBinary.generateOptions());
  if (!cached) {
    if (resolveConfig(ResolveConfigVariables.RUNTIME_DOWNLOAD) === 'false')
      throw new Error('no mongod cached and downloads are off (MONGOMS_RUNTIME_DOWNLOAD)');
    const offline = await downloadReachable();
    if (offline) throw new Error(offline);
    logger.info('downloading mongod through mongodb-memory-server (once per machine, about 100 MB)');
  }
  mkdirSync(dir, { recursive: true });
  const server = await MongoMemoryServer.create({ instance: { dbPath: path.resolve(dir), storageEngine: 'wiredTiger', ip: '127.0.0.1' } });
  return {
    uri: server.getUri(database),
    kind: 'mongodb-memory-server',
    stop: async () => {
      await server.stop({ doCleanup: false });
    },
  };
}
