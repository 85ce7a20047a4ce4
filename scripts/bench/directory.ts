/**
 * The back office's customer list at scale: seeds CUSTOMERS (default 100,000) customers into a
 * fresh database on MONGODB_URI and times the directory's reads as the pages make them (first
 * page of each sort, a page deep into a sort through its cursors, search by name, phone and code,
 * a tier filter). Prints the median of five runs of each, in ms. Run:
 *   MONGODB_URI=mongodb://127.0.0.1:27017/dev npx tsx scripts/bench/directory.ts
 */
import { Types } from 'mongoose';
import { connectMongo } from '../../src/db/connection.js';
import { createModels, ensureIndexes } from '../../src/db/models/index.js';
import { nameSearchKeys, plainText } from '../../src/domain/names.js';
import { createLogger } from '../../src/logger.js';
import { parseProgram } from '../../src/program/load.js';
import { createServices } from '../../src/services/index.js';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };

const total = Number(process.env.CUSTOMERS ?? 100_000);
const base = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/dev';
const uri = new URL(base);
uri.pathname = `/bench_directory_${Date.now()}`;

const family = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Phan', 'Vũ', 'Đặng', 'Bùi', 'Đỗ'];
const middle = ['Thị', 'Văn', 'Minh', 'Ngọc', 'Thanh', 'Hữu'];
const given = ['Lân', 'Hoa', 'Mai', 'Lan', 'Hùng', 'Dũng', 'Trang', 'Linh', 'Phương', 'Tuấn', 'Hương', 'Nam', 'Anh', 'Thảo', 'Quân'];

const connection = await connectMongo(uri.toString());
const models = createModels(connection);
await ensureIndexes(models);
const program = parseProgram(structuredClone(defaultProgram));
const services = createServices({ models, program, logger: createLogger('silent'), timezone: 'Asia/Ho_Chi_Minh', publicUrl: 'http://x' });

const owner = new Types.ObjectId();
const seedStart = Date.now();
for (let at = 0; at < total; at += 2000) {
  const docs = [];
  for (let i = at; i < Math.min(total, at + 2000); i++) {
    const name = i === 0 ? 'Chủ tiệm' : `${family[i % 10]} ${middle[i % 6]} ${given[(i * 7) % 15]} ${i}`;
    const createdAt = new Date(Date.UTC(2025, 0, 1) + i * 60_000);
    docs.push({
      _id: i === 0 ? owner : new Types.ObjectId(),
      code: `C${String(i).padStart(7, '0')}`,
      name,
      nameWords: nameSearchKeys(name),
      nameKey: plainText(name),
      phone: `+849${String(10_000_000 + i).slice(-8)}`,
      locale: 'vi',
      role: i === 0 ? 'owner' : 'customer',
      points: (i * 37) % 2000,
      visitCount: i % 40,
      tier: program.tiers[i % program.tiers.length]!.id,
      lastSeenDay: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
      createdAt,
      updatedAt: createdAt,
    });
  }
  await models.Customer.collection.insertMany(docs);
}
console.log(`seeded ${total} customers in ${Date.now() - seedStart} ms`);

const actor = { customerId: owner, identity: 'bench' };
async function time(label: string, run: () => Promise<unknown>): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const result = (await run()) as { ok: boolean; rows?: unknown[] };
    runs.push(performance.now() - started);
    if (!result.ok) throw new Error(`${label}: ${JSON.stringify(result)}`);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} median ${runs[2]!.toFixed(0).padStart(6)} ms  (max ${runs[4]!.toFixed(0)} ms)`);
}

for (const sort of ['newest', 'name', 'points', 'visits', 'lastSeen'] as const) {
  await time(`first page, sort ${sort}`, () => services.directory.list(actor, { sort }));
}
// Page 20 of the points order: the cursor of page 19's end (walked once, then timed).
let after: string | undefined;
for (let page = 1; page < 20; page++) {
  const found = await services.directory.list(actor, { sort: 'points', ...(after ? { after } : {}) });
  if (!found.ok) throw new Error(found.reason);
  after = found.next;
}
await time('page 20, sort points (keyset cursor)', () => services.directory.list(actor, { sort: 'points', after }));
await time('search name "lan" (one word, prefix)', () => services.directory.list(actor, { q: 'lan' }));
await time('search name "nguyen thi lan" (three words)', () => services.directory.list(actor, { q: 'nguyen thi lan' }));
await time('search phone "0910 000 123"', () => services.directory.list(actor, { q: '0910 000 123' }));
await time('search code', () => services.directory.list(actor, { q: 'C0054321' }));
await time(`filter tier ${program.tiers[1]!.id}`, () => services.directory.list(actor, { tier: program.tiers[1]!.id }));
await time('customer card (owner, with journey)', () => services.directory.card(actor, 'C0054321'));

await connection.dropDatabase();
await connection.close();
