import type { Agenda } from 'agenda';
import { pingMongo } from '../db/connection.js';
import { outageLog } from '../health.js';
import type { Connection } from 'mongoose';
import type { Config } from '../config.js';
import type { Models } from '../db/models/index.js';
import { databaseHostOf } from '../domain/personal-data.js';
import { deliveryScheduler } from '../jobs/notifications.js';
import type { Logger } from '../logger.js';
import type { Program } from '../program/schema.js';
import { createServices as createUseCases, type Services } from '../services/index.js';
import type { Stop } from './stoppers.js';

export interface ServicesStep {
  services: Services;
  /** Printed at start while the shop has no owner: `/start <code>` in the bot claims ownership. */
  ownerSetupCode: string | undefined;
  stop: Stop;
}

/**
 * The use cases over the models, with the owners from OWNER_IDS in place and the latest stored
 * program rules in force in `program` (the rules file becomes version 1 on the first start);
 * newer versions are looked for every PROGRAM_REFRESH_SECONDS. A recorded notification goes
 * straight onto Agenda's queue. The stop ends the refresh and writes the link opens still held
 * in memory.
 */
export async function createServices(deps: {
  config: Config;
  logger: Logger;
  program: Program;
  models: Models;
  agenda: Agenda;
  /** For the rules refresh's outage log. */
  connection: Connection;
  now: (() => Date) | undefined;
}): Promise<ServicesStep> {
  const { config, logger } = deps;
  const services = createUseCases({
    models: deps.models,
    program: deps.program,
    logger,
    timezone: config.timezone,
    publicUrl: config.publicUrl,
    databaseHost: databaseHostOf(config.mongodbUri),
    now: deps.now,
    onNotificationsRecorded: deliveryScheduler(deps.agenda, logger),
  });
  await services.roles.ensureOwners(config.ownerIds, config.defaultLocale);
  // The stored rules first: the tiers customers are aligned to are those in force.
  await services.programRules.start(deps.program);
  const retiered = await services.points.alignTiers();
  if (retiered > 0) logger.info({ customers: retiered }, 'customer tiers now stored by tier id');
  await services.directory.fillSearchKeys();
  // A new version may reorder the tiers: the stored ranks follow (equality updates, safe in every process).
  services.programRules.onChange(async () => void (await services.points.alignTiers()));
  const ownerSetupCode = await services.roles.getOrCreateSetupCode();
  const refreshErrors = outageLog(logger, 'program rules refresh', () => pingMongo(deps.connection));
  const refresh = setInterval(
    () => void services.programRules.refresh().catch((error: unknown) => refreshErrors.error(error)),
    config.programRefreshMs,
  );
  refresh.unref();
  return {
    services,
    ownerSetupCode,
    stop: async () => {
      clearInterval(refresh);
      refreshErrors.stop();
      // Link opens wait in memory for their batch: the stop writes them (after HTTP has stopped).
      await services.referrals.flushLinkOpens();
    },
  };
}
