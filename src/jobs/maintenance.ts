import type { Agenda } from 'agenda';
import type { Models } from '../db/models/index.js';

export const PRUNE_PROCESSED_UPDATES = 'prune-processed-updates';
/** Long enough for any redelivery of a chat update; Telegram keeps updates for 24 hours. */
export const PROCESSED_UPDATE_RETENTION_DAYS = 7;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 24 * 3600 * 1000);

/** Deletes processed-update keys older than the retention (FerretDB has no TTL indexes). */
export async function pruneProcessedUpdates(models: Models, now: Date): Promise<number> {
  const result = await models.ProcessedUpdate.deleteMany({ processedAt: { $lt: daysBefore(now, PROCESSED_UPDATE_RETENTION_DAYS) } });
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

/** Deletes one-time action cards a day past their expiry, with the claims of their presses. */
export async function pruneExpiredActionCards(models: Models, now: Date): Promise<number> {
  const cutoff = daysBefore(now, ACTION_CARD_RETENTION_DAYS);
  const expired = await models.ActionCard.find({ expiresAt: { $lt: cutoff } }, { token: 1 }).lean();
  if (expired.length === 0) return 0;
  await models.Claim.deleteMany({ key: { $in: expired.map((card) => `action:${card.token}`) } });
  const result = await models.ActionCard.deleteMany({ _id: { $in: expired.map((card) => card._id) } });
  return result.deletedCount;
}

/** Deletes rate-limit slots (flood windows, send turns) older than a day: they only matter for seconds. */
export async function pruneRateSlots(models: Models, now: Date): Promise<number> {
  const result = await models.RateSlot.deleteMany({ at: { $lt: daysBefore(now, 1) } });
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
