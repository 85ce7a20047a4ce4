import type { Connection } from 'mongoose';

/** How many operations a fixed number of concurrent callers complete in `seconds`, per second. */
async function rate(seconds: number, concurrency: number, operation: (i: number) => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await operation(done++);
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export interface Ceilings {
  upsertsPerSecond: number;
  findOnePerSecond: number;
}

/**
 * The database's own ceilings, through the driver with no model in between, at the same
 * concurrency an update burst brings: single-document upserts of new keys under a unique
 * index, and findOne by an indexed field other than _id among 1,000 documents.
 */
export async function measureCeilings(connection: Connection, seconds = 4, concurrency = 32): Promise<Ceilings> {
  const db = connection.db!;
  const upserts = db.collection<{ key: string; n: number }>('ceiling_upserts');
  await upserts.createIndex({ key: 1 }, { unique: true });
  const upsertsPerSecond = await rate(seconds, concurrency, (i) => upserts.updateOne({ key: `k${i}` }, { $set: { n: i } }, { upsert: true }));

  const lookups = db.collection<{ code: string; n: number }>('ceiling_lookups');
  await lookups.createIndex({ code: 1 }, { unique: true });
  await lookups.insertMany(Array.from({ length: 1000 }, (_, n) => ({ code: `C${String(n).padStart(6, '0')}`, n })));
  const findOnePerSecond = await rate(seconds, concurrency, (i) => lookups.findOne({ code: `C${String((i * 7919) % 1000).padStart(6, '0')}` }));
  return { upsertsPerSecond, findOnePerSecond };
}
