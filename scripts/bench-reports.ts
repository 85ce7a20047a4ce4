// Builds a history of N customers (half referred, most with visits, a voucher each) spread
// over 365 days, then times the reports the owner sees: /stats for today and 30 days, the
// daily summary and the dashboard page's data. Usage: npx tsx scripts/bench-reports.ts [N]
import { Types } from 'mongoose';
import { defaultProgramConfigPath } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { loadProgram } from '../src/program/load.js';
import { createServices } from '../src/services/index.js';
import { benchDatabase, mib } from './bench-database.js';

const count = Number(process.argv[2] ?? 20_000);
const db = await benchDatabase('reports');
const now = Date.now();
const day = 24 * 3600 * 1000;
const at = (i: number) => new Date(now - (i % 365) * day - (i % 1000) * 1000);

console.log(`server: ${db.server}, node ${process.version}, history of ${count} customers over 365 days`);
const seedStarted = performance.now();
for (let offset = 0; offset < count; offset += 1000) {
  const batch = Array.from({ length: Math.min(1000, count - offset) }, (_, j) => offset + j);
  const ids = batch.map(() => new Types.ObjectId());
  await db.models.Customer.insertMany(
    batch.map((i, j) => ({
      _id: ids[j],
      code: `C${String(i).padStart(7, '0')}`,
      locale: 'vi',
      tier: i % 3 === 0 ? 'Member' : undefined,
      createdAt: at(i),
    })),
  );
  await db.models.Referral.insertMany(
    batch
      .filter((i) => i % 2 === 1)
      .map((i) => ({
        friendId: ids[batch.indexOf(i)],
        referrerId: ids[0],
        code: 'X',
        via: 'telegram',
        joinedAt: at(i),
        status: i % 4 === 1 ? 'converted' : 'joined',
        convertedAt: i % 4 === 1 ? at(i) : undefined,
      })),
  );
  await db.models.Visit.insertMany(
    batch.map((i, j) => ({
      key: `first:${String(ids[j])}`,
      customerId: ids[j],
      staffId: ids[0],
      first: true,
      amount: 200_000,
      points: 100,
      referred: i % 2 === 1,
      at: at(i),
    })),
  );
  await db.models.LinkOpen.insertMany(batch.map((i) => ({ code: 'X', referrerId: ids[0], via: 'link', at: at(i) })));
}
console.log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const program = loadProgram(defaultProgramConfigPath);
const owner = await db.models.Customer.findOneAndUpdate({ code: 'C0000000' }, { $set: { role: 'owner' } }).lean();
const ownerActor = { customerId: owner!._id, identity: 'bench:owner' };
const { reports, dashboard } = createServices({
  models: db.models,
  program,
  logger: createLogger('warn'),
  timezone: 'Asia/Ho_Chi_Minh',
  publicUrl: 'http://127.0.0.1',
});
for (const [name, call] of [
  ['stats today', () => reports.getPeriodStats(ownerActor, 'today')],
  ['stats 30d', () => reports.getPeriodStats(ownerActor, '30d')],
  ['daily summary', () => reports.getDailySummary(ownerActor)],
  ['dashboard 30d', () => dashboard.getView(ownerActor, '30d')],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: median ${times[2]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[4]!.toFixed(0)})`);
}
console.log(`heap ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`);
await db.close();
