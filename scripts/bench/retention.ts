// What the daily retention step costs: `RETENTION_OPENS` link opens (default 100,000) spread
// over the 90 days before the 180-day cut-off, plus as many kept after it, removed by
// services.retention.apply (rollups sealed first, then one delete per day). Run on its own:
// `MONGODB_URI=... npx tsx scripts/bench/retention.ts` (or without MONGODB_URI, FerretDB on
// PostgreSQL is started as for the other benchmarks). Prints the seconds each part took.
import { Types } from 'mongoose';
import { dayKey } from '../../src/domain/schedule.js';
import { createLogger } from '../../src/logger.js';
import { keyedSinceSetting } from '../../src/services/day-keys.js';
import { parseProgram } from '../../src/program/load.js';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };
import { createServices } from '../../src/services/index.js';
import { openDatabase, startBenchServer } from './database.js';

const zone = 'Asia/Ho_Chi_Minh';
const DAY = 24 * 3600_000;
const opens = Number(process.env.RETENTION_OPENS ?? 100_000);

const server = await startBenchServer();
const db = await openDatabase(server, `bench_retention_${Date.now()}`);
try {
  const now = new Date();
  const referrerId = new Types.ObjectId();
  await db.models.Customer.collection.insertOne({ _id: referrerId, code: 'BENCHR', locale: 'vi', createdAt: new Date(now.getTime() - 400 * DAY) });
  const began = performance.now();
  const due = now.getTime() - 270 * DAY;
  const kept = now.getTime() - 170 * DAY;
  for (let at = 0; at < opens * 2; at += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, opens * 2 - at) }, (_, i) => {
      const n = at + i;
      const stamp = new Date((n < opens ? due : kept) + ((n % opens) / opens) * 90 * DAY);
      return { key: `BENCHR:${n}`, code: 'BENCHR', referrerId, via: 'link', at: stamp, atDay: dayKey(stamp, zone) };
    });
    await db.models.LinkOpen.collection.insertMany(batch, { ordered: false });
  }
  // Every open carries its day key, as since the app writes them: days are counted by key.
  await db.models.Setting.collection.insertOne({ key: keyedSinceSetting(zone), value: dayKey(new Date(due - DAY), zone) });
  const inserted = performance.now();
  const services = createServices({
    models: db.models,
    program: parseProgram(structuredClone(defaultProgram)),
    logger: createLogger('silent'),
    timezone: zone,
    publicUrl: 'http://127.0.0.1',
    now: () => now,
  });
  console.log(`inserted ${opens * 2} link opens in ${Math.round((inserted - began) / 1000)} s`);
  const started = performance.now();
  const removed = await services.retention.apply(now);
  const first = (performance.now() - started) / 1000;
  const again = performance.now();
  await services.retention.apply(now);
  const second = (performance.now() - again) / 1000;
  const left = await db.models.LinkOpen.estimatedDocumentCount();
  console.log(
    JSON.stringify({ server: server.kind, linkOpensRemoved: removed.linkOpens, linkOpensLeft: left, firstRunSeconds: first, nextRunSeconds: second }),
  );
} finally {
  await db.drop();
  await server.stop();
}
