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

/** Deletes expired tickets (dashboard links, staff invites, app-linking codes). */
export async function pruneExpiredTickets(models: Models, now: Date): Promise<number> {
  const result = await models.Setting.deleteMany({ expiresAt: { $lt: now } });
  return result.deletedCount;
}

/** Deletes rate-limit slots (flood windows, send turns) older than a day: they only matter for seconds. */
export async function pruneRateSlots(models: Models, now: Date): Promise<number> {
  const result = await models.RateSlot.deleteMany({ at: { $lt: new Date(now.getTime() - 24 * 3600 * 1000) } });
  return result.deletedCount;
}

/** Daily clean-up of what only matters for a while: processed updates, expired tickets, rate slots. */
export async function defineMaintenanceJobs(agenda: Agenda, models: Models): Promise<void> {
  agenda.define(PRUNE_PROCESSED_UPDATES, async () => {
    const now = new Date();
    await pruneProcessedUpdates(models, now);
    await pruneExpiredTickets(models, now);
    await pruneRateSlots(models, now);
  });
  await agenda.every('1 day', PRUNE_PROCESSED_UPDATES, undefined, { skipImmediate: true });
}
