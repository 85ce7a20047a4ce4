// What an announcement to `ANNOUNCEMENT_CUSTOMERS` customers (default 100,000, all opted in to
// offers, a quarter in one tier) costs: counting each audience, the send, and recording one
// notification per person in batches (services.announcements.recordPending), with the
// process's peak heap while recording. Run on its own:
// `MONGODB_URI=... npx tsx scripts/bench/announcements.ts` (or without MONGODB_URI, FerretDB on
// PostgreSQL is started as for the other benchmarks). Prints the seconds each part took.
import { Types } from 'mongoose';
import { createLogger } from '../../src/logger.js';
import { parseProgram } from '../../src/program/load.js';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };
import { createServices } from '../../src/services/index.js';
import { openDatabase, startBenchServer } from './database.js';

const customers = Number(process.env.ANNOUNCEMENT_CUSTOMERS ?? 100_000);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

const server = await startBenchServer();
const db = await openDatabase(server, `bench_announcements_${Date.now()}`);
try {
  const ownerId = new Types.ObjectId();
  await db.models.Customer.collection.insertOne({ _id: ownerId, code: 'BENCHOWN', locale: 'vi', role: 'owner' });
  const began = performance.now();
  for (let at = 0; at < customers; at += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, customers - at) }, (_, i) => {
      const n = at + i;
      return {
        code: `B${String(n).padStart(7, '0')}`,
        name: `Khách ${n}`,
        locale: n % 3 ? 'vi' : 'en',
        role: 'customer',
        marketingConsent: true,
        lastIdentity: `telegram:${1_000_000 + n}`,
        tier: n % 4 ? 'member' : 'gold',
        lastSeenDay: n % 2 ? '2026-01-01' : '2026-11-30',
      };
    });
    await db.models.Customer.collection.insertMany(batch, { ordered: false });
  }
  console.log(`inserted ${customers} customers in ${seconds(began)} s`);
  const services = createServices({
    models: db.models,
    program: parseProgram(structuredClone(defaultProgram)),
    logger: createLogger('silent'),
    timezone: 'Asia/Ho_Chi_Minh',
    publicUrl: 'http://127.0.0.1',
    now: () => new Date('2026-12-02T05:00:00Z'),
  });
  const owner = { customerId: ownerId, identity: 'web:dashboard' };
  const counts: Record<string, { people: number; seconds: number }> = {};
  for (const [name, audience] of [
    ['everyone', { kind: 'everyone' }],
    ['tier', { kind: 'tier', tier: 'gold' }],
    ['inactive90', { kind: 'inactive', days: 90 }],
  ] as const) {
    const started = performance.now();
    const counted = await services.announcements.countAudience(owner, audience);
    counts[name] = { people: counted.ok ? counted.count : -1, seconds: seconds(started) };
  }
  const id = services.announcements.newDraftId();
  await services.announcements.saveDraft(owner, id, { vi: 'Tết giảm 20%', en: 'Tết: 20% off', audience: 'everyone' });
  const sendStarted = performance.now();
  const sent = await services.announcements.send(owner, id);
  const sendSeconds = seconds(sendStarted);
  if (!sent.ok) throw new Error(`send refused: ${sent.reason}`);
  let peakHeap = process.memoryUsage().heapUsed;
  const baseHeap = peakHeap;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
  const recordStarted = performance.now();
  await services.announcements.recordPending();
  const recordSeconds = seconds(recordStarted);
  clearInterval(sampler);
  const listStarted = performance.now();
  const listed = await services.announcements.list(owner);
  const listSeconds = seconds(listStarted);
  console.log(
    JSON.stringify({
      server: server.kind,
      customers,
      counts,
      sendSeconds,
      recordSeconds,
      recorded: listed.ok ? listed.items[0]?.figures.recipients : undefined,
      recordPerSecond: Math.round(customers / recordSeconds),
      heapGrowthMb: Math.round((peakHeap - baseHeap) / 1e5) / 10,
      listWithFiguresSeconds: listSeconds,
    }),
  );
} finally {
  await db.drop();
  await server.stop();
}
