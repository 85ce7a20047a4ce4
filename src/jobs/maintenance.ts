import type { Agenda } from 'agenda';
import type { Models } from '../db/models/index.js';

export const PRUNE_PROCESSED_UPDATES = 'prune-processed-updates';
/** Long enough for any redelivery of a chat update; Telegram keeps updates for 24 hours. */
export const PROCESSED_UPDATE_RETENTION_DAYS = 7;

/** Deletes processed-update keys older than the retention (FerretDB has no TTL indexes). */
export async function pruneProcessedUpdates(models: Models, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - PROCESSED_UPDATE_RETENTION_DAYS * 24 * 3600 * 1000);
  const result = await models.ProcessedUpdate.deleteMany({ processedAt: { $lt: cutoff } });
  return result.deletedCount;
}

export async function defineMaintenanceJobs(agenda: Agenda, models: Models): Promise<void> {
  agenda.define(PRUNE_PROCESSED_UPDATES, async () => {
    await pruneProcessedUpdates(models, new Date());
  });
  await agenda.every('1 day', PRUNE_PROCESSED_UPDATES, undefined, { skipImmediate: true });
}
