// Builds a shop's history (see report-history.ts: N customers and about E records over 365
// days, inserted in bulk), then times the reports the owner sees, each counted from the records
// (the slow path, what the reports did before the rollups) and through the day rollups (first
// call builds the missing days; the median is over the calls after it).
// Usage: npx tsx scripts/bench-reports.ts [customers=100000] [events=1000000]
import { DateTime } from 'luxon';
import { defaultProgramConfigPath } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { loadProgram } from '../src/program/load.js';
import { createServices } from '../src/services/index.js';
import { createServicePieces } from '../src/services/context.js';
import { createReportFigures } from '../src/services/reports.js';
import { createRollups } from '../src/services/rollups.js';
import { benchDatabase, mib } from './bench-database.js';
import { generateHistory } from './report-history.js';

const customers = Number(process.argv[2] ?? 100_000);
const events = Number(process.argv[3] ?? 1_000_000);
const timezone = 'Asia/Ho_Chi_Minh';
const db = await benchDatabase('reports');
const now = new Date();

console.log(`server: ${db.server}, node ${process.version}, ${customers} customers, about ${events} records over 365 days`);
const seedStarted = performance.now();
const { inserted } = await generateHistory(db.models, {
  customers,
  events,
  days: 365,
  now,
  progress: (n) => process.stdout.write(`\rseeding: ${n} records`),
});
console.log(`\rseeded ${inserted} records in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const program = loadProgram(defaultProgramConfigPath);
const deps = { models: db.models, program, logger: createLogger('warn'), timezone, publicUrl: 'http://127.0.0.1' };
const owner = await db.models.Customer.findOneAndUpdate({ code: 'H0000000' }, { $set: { role: 'owner' } }).lean();
const ownerActor = { customerId: owner!._id, identity: 'bench:owner' };
const { reports, dashboard } = createServices(deps);
const figures = createReportFigures({ ...deps, rollups: createRollups({ ...createServicePieces(deps), models: db.models }) });
const thirtyDaysFrom = DateTime.fromJSDate(now, { zone: timezone }).startOf('day').minus({ days: 29 }).toJSDate();

async function time(name: string, runs: number, call: () => Promise<unknown>): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  const [first, ...rest] = times;
  const sorted = (rest.length > 0 ? rest : times).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `${name}: median ${median.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}; first ${first!.toFixed(0)} ms)`,
  );
}

const directRuns = Number(process.env.BENCH_DIRECT_RUNS ?? 3);
await time('stats 30d, counted from the records (before)', directRuns, () => figures.getStatsDirect(thirtyDaysFrom, now));
await time('stats 30d, rollups', 6, () => reports.getPeriodStats(ownerActor, '30d'));
await time('stats 7d, rollups', 5, () => reports.getPeriodStats(ownerActor, '7d'));
await time('stats today', 5, () => reports.getPeriodStats(ownerActor, 'today'));
await time('daily summary, rollups', 5, () => reports.getDailySummary(ownerActor));
await time('dashboard 30d, rollups', 5, () => dashboard.getView(ownerActor, '30d'));
console.log(`heap ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}`);
await db.close();
