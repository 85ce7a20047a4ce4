/**
 * How long the back office's overview takes at 100,000 customers: seeds a history (customers,
 * friends, first visits, vouchers) over the last 200 days into its own database on the
 * server at MONGODB_URI, then asks for each period twice: first with no day rollups built
 * (each closed day is counted once and stored), then again (read from the rollups). Prints
 * one line per period; drops its database at the end.
 *
 *   MONGODB_URI=mongodb://127.0.0.1:27017/dev npx tsx scripts/bench/overview.ts [customers]
 */
import { DateTime } from 'luxon';
import mongoose, { Types } from 'mongoose';
import { referralChannels } from '../../src/db/models/customer.js';
import { createModels, ensureIndexes } from '../../src/db/models/index.js';
import { namedPeriods, type PeriodChoice } from '../../src/domain/periods.js';
import { createLogger } from '../../src/logger.js';
import { loadProgram } from '../../src/program/load.js';
import { defaultProgramConfigPath } from '../../src/config.js';
import { keyedSinceSetting } from '../../src/services/day-keys.js';
import { createServices } from '../../src/services/index.js';

const customers = Number(process.argv[2] ?? 100_000);
const zone = 'Asia/Ho_Chi_Minh';
const DAYS = 200;
const uri = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/dev');
uri.pathname = `/bench-overview-${Date.now()}`;
const connection = await mongoose.createConnection(uri.toString()).asPromise();
const models = createModels(connection);
await ensureIndexes(models);
try {
  const today = DateTime.now().setZone(zone).startOf('day');
  const stamp = (i: number) => {
    const at = today.minus({ days: i % DAYS }).plus({ minutes: (i * 7) % 1440 });
    return { at: at.toJSDate(), day: at.toISODate()! };
  };
  const started = Date.now();
  const referrer = new Types.ObjectId();
  for (let from = 0; from < customers; from += 5000) {
    const batch = Array.from({ length: Math.min(5000, customers - from) }, (_, j) => from + j);
    await models.Customer.insertMany(
      batch.map((i) => ({
        code: `B${String(i).padStart(7, '0')}`,
        locale: 'vi',
        createdAt: stamp(i).at,
        createdDay: stamp(i).day,
      })),
      { lean: true },
    );
    // A third are referred friends, a tenth came in for a first visit, a fifth got a voucher.
    await models.Referral.insertMany(
      batch
        .filter((i) => i % 3 === 0)
        .map((i) => ({
          friendId: new Types.ObjectId(),
          referrerId: referrer,
          code: 'BREF',
          via: referralChannels[i % referralChannels.length],
          joinedAt: stamp(i).at,
          joinedDay: stamp(i).day,
        })),
      { lean: true },
    );
    await models.Visit.insertMany(
      batch
        .filter((i) => i % 10 === 0)
        .map((i) => ({
          key: `b${i}`,
          customerId: referrer,
          staffId: referrer,
          first: true,
          referred: true,
          points: 100,
          amount: 250_000,
          at: stamp(i).at,
          atDay: stamp(i).day,
        })),
      { lean: true },
    );
    const reward = { kind: 'percent_off' as const, value: 10, label: { vi: 'Giảm 10%', en: '10% off' } };
    await models.Voucher.insertMany(
      batch
        .filter((i) => i % 5 === 0)
        .map((i) => ({
          ...reward,
          reward,
          code: `BV${i}`,
          causeKey: `b:${i}`,
          customerId: referrer,
          cause: 'milestone',
          issuedAt: stamp(i).at,
          issuedDay: stamp(i).day,
          expiresAt: new Date(stamp(i).at.getTime() + 30 * 86400_000),
        })),
      { lean: true },
    );
  }
  const events = customers + Math.ceil(customers / 3) + Math.ceil(customers / 10) + Math.ceil(customers / 5);
  console.log(
    `seeded ${customers.toLocaleString('en')} customers and ${events.toLocaleString('en')} records over ${DAYS} days in ${Math.round((Date.now() - started) / 1000)} s`,
  );

  // A shop that has run a while has table statistics (PostgreSQL's autovacuum analyses a table
  // within about a minute of many writes); until then the total is counted exactly, which at
  // this size would be measured instead of the overview (see src/db/collection-count.ts).
  const waited = Date.now();
  while (Date.now() - waited < 180_000) {
    const stats = (await models.Customer.collection.aggregate([{ $collStats: { count: {} } }]).toArray()) as Array<{ count?: number }>;
    if ((stats[0]?.count ?? 0) >= 10_000) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  console.log(`table statistics ready after ${Math.round((Date.now() - waited) / 1000)} s`);

  // A shop that has run a while: every seeded record carries its day keys, so days count by them.
  await models.Setting.create({ key: keyedSinceSetting(zone), value: today.minus({ days: DAYS + 400 }).toISODate()! });
  const program = loadProgram(defaultProgramConfigPath);
  const services = createServices({ models, program, logger: createLogger('silent'), timezone: zone, publicUrl: 'http://localhost' });
  const owner = await models.Customer.create({ code: 'BOWNER', locale: 'vi', role: 'owner' });
  const actor = { customerId: owner._id, identity: 'telegram:1' };
  const time = async (choice: PeriodChoice) => {
    const t0 = performance.now();
    const result = await services.overview.getOverview(actor, choice);
    if (!result.ok) throw new Error(result.reason);
    return Math.round(performance.now() - t0);
  };
  const choices: Array<[string, PeriodChoice]> = [
    ...namedPeriods.map((period): [string, PeriodChoice] => [period, { period }]),
    ['custom 365 days', { period: 'custom', from: today.minus({ days: 364 }).toISODate()!, to: today.toISODate()! }],
  ];
  for (const [label, choice] of choices) {
    const cold = await time(choice);
    const warm = await time(choice);
    console.log(`${label}: ${cold} ms with its days built now, ${warm} ms from the rollups`);
  }
} finally {
  await connection.dropDatabase();
  await connection.close();
}
