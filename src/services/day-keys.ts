import type { Models } from '../db/models/index.js';
import { dayKey } from '../domain/schedule.js';
import type { Logger } from '../logger.js';
import type { Claims } from './claims.js';

type Doc = Record<string, unknown> & { _id: unknown };

/** One day key: the stamp it is the business day of, and (optionally) which records need it. */
interface KeyOfStamp {
  stamp: string;
  key: string;
  applies?: (doc: Doc) => boolean;
}

/** The day keys of each collection the reports count (see figures.ts). */
const filled: Array<{ model: 'Customer' | 'LinkOpen' | 'Referral' | 'Visit' | 'Voucher' | 'Notification'; keys: KeyOfStamp[] }> = [
  { model: 'Customer', keys: [{ stamp: 'createdAt', key: 'createdDay' }] },
  { model: 'LinkOpen', keys: [{ stamp: 'at', key: 'atDay' }] },
  {
    model: 'Referral',
    keys: [
      { stamp: 'joinedAt', key: 'joinedDay' },
      { stamp: 'convertedAt', key: 'convertedDay' },
    ],
  },
  { model: 'Visit', keys: [{ stamp: 'at', key: 'atDay' }] },
  {
    model: 'Voucher',
    keys: [
      { stamp: 'issuedAt', key: 'issuedDay' },
      { stamp: 'redeemedAt', key: 'redeemedDay' },
    ],
  },
  {
    model: 'Notification',
    keys: [
      { stamp: 'createdAt', key: 'createdDay' },
      // Only the reports' undeliverable count reads it, and only its last `updatedAt` is that moment.
      { stamp: 'updatedAt', key: 'undeliverableDay', applies: (doc) => doc.status === 'undeliverable' },
    ],
  },
];

/** Written when every record has its day keys, `by` the time zone they are in. */
const DONE = 'day-keys:done';
/** Written per collection as the fill goes, so a fill stopped halfway resumes after the last one. */
const progressKey = (model: string) => `day-keys:filled:${model}`;
const BATCH = 1000;

export interface DayKeysFilled {
  scanned: number;
  updated: number;
}

/**
 * The day keys of records written before they existed (or in another time zone): a fill at
 * start-up sets them, collection by collection, and says when it is done. Until then the
 * reports count by date ranges (`ready` is false), so figures stay exact meanwhile. It writes
 * only the derived day fields, each guarded by the stamp it was computed from, so it never
 * undoes a use case's write and can run again at any time (a second run updates nothing).
 */
export function createDayKeys(ctx: { models: Models; claims: Claims; logger: Logger; timezone: string }) {
  const { models, claims, logger, timezone } = ctx;
  let known = false;

  /** True once every record has its day keys in this time zone. */
  async function ready(): Promise<boolean> {
    known ||= (await claims.holder(DONE))?.by === timezone;
    return known;
  }

  /** One scan of the collection (a range or an $exists would scan it on FerretDB all the same), writing in batches. */
  async function fill(model: (typeof filled)[number]['model'], keys: KeyOfStamp[]): Promise<DayKeysFilled> {
    const collection = models[model].collection;
    const projection: Record<string, 1> = { status: 1 };
    for (const { stamp, key } of keys) projection[stamp] = projection[key] = 1;
    const counts = { scanned: 0, updated: 0 };
    let ops: Array<{ updateOne: { filter: Record<string, unknown>; update: { $set: Record<string, string> } } }> = [];
    const write = async () => {
      if (ops.length === 0) return;
      // The driver's own bulk write: Mongoose would move `updatedAt`, the stamp of a day key.
      await collection.bulkWrite(ops, { ordered: false });
      counts.updated += ops.length;
      ops = [];
    };
    for await (const doc of collection.find({}, { projection, batchSize: BATCH }) as AsyncIterable<Doc>) {
      counts.scanned += 1;
      const filter: Record<string, unknown> = { _id: doc._id };
      const set: Record<string, string> = {};
      for (const { stamp, key, applies } of keys) {
        const at = doc[stamp];
        if (!(at instanceof Date) || (applies && !applies(doc))) continue;
        const day = dayKey(at, timezone);
        if (doc[key] === day) continue;
        set[key] = day;
        filter[stamp] = at;
      }
      if (Object.keys(set).length === 0) continue;
      ops.push({ updateOne: { filter, update: { $set: set } } });
      if (ops.length >= BATCH) await write();
    }
    await write();
    return counts;
  }

  /** Sets every missing or other-zone day key; returns what it scanned and updated. Safe to repeat and to run in two processes. */
  async function backfill(): Promise<DayKeysFilled> {
    const total = { scanned: 0, updated: 0 };
    if (await ready()) return total;
    // Marks of another time zone say nothing about this one's keys.
    for (const key of [DONE, ...filled.map(({ model }) => progressKey(model))]) {
      const holder = await claims.holder(key);
      if (holder && holder.by !== timezone) await claims.release(key, holder.at);
    }
    for (const { model, keys } of filled) {
      if ((await claims.holder(progressKey(model)))?.by === timezone) continue;
      const counts = await fill(model, keys);
      logger.info({ collection: models[model].collection.collectionName, ...counts }, 'day keys filled');
      total.scanned += counts.scanned;
      total.updated += counts.updated;
      await claims.take(progressKey(model), timezone);
    }
    await claims.take(DONE, timezone);
    await claims.releaseAll(filled.map(({ model }) => progressKey(model)));
    known = true;
    logger.info({ timezone, ...total }, 'day keys complete: reports count days by their keys');
    return total;
  }

  return { ready, backfill };
}

export type DayKeys = ReturnType<typeof createDayKeys>;
