// What the back office's CSV exports and the import preview cost at a shop's size:
// `EXPORT_CUSTOMERS` customers (default 100,000) with their history (referrals, visits,
// vouchers: scripts/report-history.ts), then the customers export (all) and the visits export
// (the whole history), each written as CSV the way the page writes it (csv-stringify with a
// BOM) into a sink, and the preview of a 10,000-row import file. Run on its own:
// `MONGODB_URI=... npx tsx scripts/bench/exports.ts` (without MONGODB_URI, FerretDB on
// PostgreSQL is started as for the other benchmarks). Prints time to first byte, total time,
// rows a second and the process's peak RSS after each step (the peak is the process's, so a
// step's figure includes all before it).
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { createLogger } from '../../src/logger.js';
import { parseProgram } from '../../src/program/load.js';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };
import type { ExportFile } from '../../src/services/exports.js';
import { createServices } from '../../src/services/index.js';
import { generateHistory } from '../report-history.js';
import { mib, openDatabase, startBenchServer } from './database.js';

const customers = Number(process.env.EXPORT_CUSTOMERS ?? 100_000);
const previewRows = Number(process.env.PREVIEW_ROWS ?? 10_000);
const peakRss = () => mib(process.resourceUsage().maxRSS * 1024);

async function measure(file: ExportFile) {
  const started = performance.now();
  let firstByte: number | undefined;
  let bytes = 0;
  let rows = 0;
  const counted = async function* () {
    for await (const row of file.rows) {
      rows++;
      yield row;
    }
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      firstByte ??= performance.now() - started;
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(Readable.from(counted()), stringify({ bom: true, header: true, columns: [...file.columns] }), sink);
  const seconds = (performance.now() - started) / 1000;
  return {
    rows,
    mib: mib(bytes),
    firstByteMs: Math.round(firstByte ?? 0),
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMib: peakRss(),
  };
}

const server = await startBenchServer();
const db = await openDatabase(server, `bench_exports_${Date.now()}`);
try {
  const now = new Date();
  const seeded = performance.now();
  const history = await generateHistory(db.models, { customers, events: Math.ceil(customers * 5), days: 90, now });
  console.log(`seeded ${history.inserted} records (${customers} customers) in ${Math.round((performance.now() - seeded) / 1000)} s`);
  const services = createServices({
    models: db.models,
    program: parseProgram(structuredClone(defaultProgram)),
    logger: createLogger('silent'),
    timezone: 'Asia/Ho_Chi_Minh',
    publicUrl: 'http://127.0.0.1',
  });
  const { customer } = await services.customers.join({ identity: 'telegram:1', chatId: '1', displayName: 'Owner', locale: 'vi' });
  await db.models.Customer.updateOne({ _id: customer._id }, { $set: { role: 'owner' } });
  const owner = { customerId: customer._id, identity: 'telegram:1' };
  const results: Record<string, unknown> = { server: server.kind, customers, records: history.inserted, rssBeforeMib: peakRss() };

  const all = await services.exports.open(owner, 'customers', 'all', 'vi');
  if (!all.ok) throw new Error(all.reason);
  results.customersExport = await measure(all.file);
  const day = (at: Date) => at.toISOString().slice(0, 10);
  const visits = await services.exports.open(owner, 'visits', { from: day(new Date(now.getTime() - 100 * 24 * 3600_000)), to: day(now) }, 'vi');
  if (!visits.ok) throw new Error(visits.reason);
  results.visitsExport = await measure(visits.file);

  const lines = ['name,phone,points,visits,birthday'];
  for (let i = 0; i < previewRows; i++) lines.push(`Khách ${i},09${String(10_000_000 + i).padStart(8, '0')},${i % 500},${i % 7},`);
  const started = performance.now();
  const preview = await services.importUploads.preview(owner, Buffer.from(lines.join('\r\n')), 'bench-session');
  if (!preview.ok) throw new Error(preview.reason);
  results.importPreview = {
    rows: previewRows,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    counts: preview.preview.counts,
    peakRssMib: peakRss(),
  };
  console.log(JSON.stringify(results, null, 2));
} finally {
  await db.drop();
  await server.stop();
}
