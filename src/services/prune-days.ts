import type { Types } from 'mongoose';
import { deleteEach } from '../db/each-value.js';

/** Records removed at once when they are picked by a range (records without a day key, the audit log). */
export const PRUNE_BATCH = 500;

/**
 * Removes records older than a cut-off in bounded batches. `days` first: one delete per
 * business day by its day key (an equality FerretDB hands to PostgreSQL, so each costs that
 * day's records); then whatever is left before the cut-off (records written before day keys
 * existed), `PRUNE_BATCH` ids at a time, each batch found by one range read of the
 * collection (FerretDB scans it) and deleted by id. Returns how many records went.
 */
export async function pruneInBatches(steps: {
  days?: readonly string[];
  removeDay?: (day: string) => PromiseLike<{ deletedCount: number }>;
  /** Up to `limit` ids of records older than the cut-off. */
  olderIds: (limit: number) => PromiseLike<Array<{ _id: Types.ObjectId }>>;
  removeId: (_id: Types.ObjectId) => PromiseLike<{ deletedCount: number }>;
}): Promise<number> {
  let removed = 0;
  const { removeDay } = steps;
  if (removeDay) for (const day of steps.days ?? []) removed += (await removeDay(day)).deletedCount;
  for (;;) {
    const ids = (await steps.olderIds(PRUNE_BATCH)).map((row) => row._id);
    const went = await deleteEach(ids, steps.removeId);
    removed += went;
    // A full batch of which nothing went (removed meanwhile by another process) ends it too.
    if (ids.length < PRUNE_BATCH || went === 0) return removed;
  }
}
