import type { Agenda } from 'agenda';
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
 * The use cases over the models, with the owners from OWNER_IDS in place. A recorded
 * notification goes straight onto Agenda's queue. The stop writes the link opens still held
 * in memory.
 */
export async function createServices(deps: {
  config: Config;
  logger: Logger;
  program: Program;
  models: Models;
  agenda: Agenda;
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
  const retiered = await services.points.alignTiers();
  if (retiered > 0) logger.info({ customers: retiered }, 'customer tiers now stored by tier id');
  const ownerSetupCode = await services.roles.getOrCreateSetupCode();
  // Link opens wait in memory for their batch: the stop writes them (after HTTP has stopped).
  return { services, ownerSetupCode, stop: () => services.referrals.flushLinkOpens() };
}
