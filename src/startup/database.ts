import type { Agenda } from 'agenda';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import { connectMongo, pingMongo } from '../db/connection.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../db/embedded.js';
import { createModels, ensureIndexes, type Models } from '../db/models/index.js';
import { outageLog } from '../health.js';
import { createAgenda } from '../jobs/agenda.js';
import type { Logger } from '../logger.js';
import { stopInReverse, type StartedPart, type Stop } from './stoppers.js';

export interface Database {
  /** "external" (MONGODB_URI) or the embedded kind. */
  kind: 'external' | EmbeddedMongo['kind'];
  connection: Connection;
  models: Models;
  /** The job queue, stored in this database; it takes jobs at once and processes them once started. */
  agenda: Agenda;
  stop: Stop;
}

/**
 * The database (an embedded one kept under DATA_DIR when MONGODB_URI is unset), the models
 * with their indexes, and Agenda on the same connection. Stops by closing them in reverse.
 */
export async function startDatabase(config: Config, logger: Logger, options: { agendaProcessEveryMs?: number }): Promise<Database> {
  const parts: StartedPart[] = [];
  try {
    let uri = config.mongodbUri;
    let kind: Database['kind'] = 'external';
    if (!uri) {
      const embedded = await startEmbeddedMongo({
        dataDir: config.dataDir,
        database: 'loyalty',
        logger,
        allowBuild: true,
        kinds: config.embeddedKinds,
      });
      parts.push({ name: 'embedded database', stop: () => embedded.stop() });
      uri = embedded.uri;
      kind = embedded.kind;
      logger.info({ kind, dataDir: config.dataDir }, 'embedded database started');
    }
    const connection = await connectMongo(uri);
    parts.push({ name: 'mongodb', stop: () => connection.close() });
    const models = createModels(connection);
    await ensureIndexes(models);

    const agenda = createAgenda(connection, { processEveryMs: options.agendaProcessEveryMs });
    // Agenda polls every few seconds: while the database is away that is an error each time.
    const agendaErrors = outageLog(logger, 'agenda', () => pingMongo(connection));
    agenda.on('error', (error) => agendaErrors.error(error));
    parts.push({ name: 'agenda error log', stop: () => Promise.resolve(agendaErrors.stop()) });

    return { kind, connection, models, agenda, stop: () => stopInReverse(parts, logger) };
  } catch (error) {
    await stopInReverse(parts, logger);
    throw error;
  }
}
