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

/** Deletes expired tickets (dashboard links, staff invites, app-linking codes) and app-linking requests. */
export async function pruneExpiredTickets(models: Models, now: Date): Promise<number> {
  const [tickets, requests] = await Promise.all([
    models.Setting.deleteMany({ expiresAt: { $lt: now } }),
    models.LinkRequest.deleteMany({ expiresAt: { $lt: now } }),
  ]);
  return tickets.deletedCount + requests.deletedCount;
}

/** Kept a day past expiry so a late press still hears "expired" rather than "unknown". */
export const ACTION_CARD_RETENTION_DAYS = 1;

/** Deletes one-time action cards a day past their expiry. */
export async function pruneExpiredActionCards(models: Models, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - ACTION_CARD_RETENTION_DAYS * 24 * 3600 * 1000);
  const result = await models.ActionCard.deleteMany({ expiresAt: { $lt: cutoff } });
  return result.deletedCount;
}

/** Deletes rate-limit slots (flood windows, send turns) older than a day: they only matter for seconds. */
export async function pruneRateSlots(models: Models, now: Date): Promise<number> {
  const result = await models.RateSlot.deleteMany({ at: { $lt: new Date(now.getTime() - 24 * 3600 * 1000) } });
  return result.deletedCount;
}

/** Daily clean-up of what only matters for a while: processed updates, expired tickets and action cards, rate slots. */
export async function defineMaintenanceJobs(agenda: Agenda, models: Models): Promise<void> {
  agenda.define(PRUNE_PROCESSED_UPDATES, async () => {
    const now = new Date();
    await pruneProcessedUpdates(models, now);
    await pruneExpiredTickets(models, now);
    await pruneExpiredActionCards(models, now);
    await pruneRateSlots(models, now);
  });
  await agenda.every('1 day', PRUNE_PROCESSED_UPDATES, undefined, { skipImmediate: true });
}
