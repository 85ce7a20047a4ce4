import { Types } from 'mongoose';
import type { Models } from '../../src/db/models/index.js';

export interface HistorySize {
  customers: number;
  /** Visits and link opens in all (each customer has a first visit and a link open; the rest are repeat visits). */
  events: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Writes a shop's history straight into the collections: `customers` customers over the last
 * 365 days, half of them referred (half of those converted), each with a first visit and a link
 * open, and repeat visits up to `events`. Returns how many documents it wrote.
 */
export async function seedHistory(models: Models, size: HistorySize, onProgress: (done: number) => void): Promise<number> {
  const now = Date.now();
  const at = (i: number) => new Date(now - (i % 365) * DAY_MS - (i % 1000) * 1000);
  const repeatsPerCustomer = Math.max(0, size.events / size.customers - 2);
  const founder = new Types.ObjectId();
  let written = 0;
  for (let offset = 0; offset < size.customers; offset += 1000) {
    const batch = Array.from({ length: Math.min(1000, size.customers - offset) }, (_, j) => offset + j);
    const ids = batch.map((i) => (i === 0 ? founder : new Types.ObjectId()));
    const repeats = batch.flatMap((i, j) => {
      // Spread the fractional part evenly: customer i gets floor((i+1)·r) − floor(i·r) repeats.
      const count = Math.floor((i + 1) * repeatsPerCustomer) - Math.floor(i * repeatsPerCustomer);
      return Array.from({ length: count }, (_, k) => ({
        key: `visit:bench:${i}:${k}`,
        customerId: ids[j],
        staffId: founder,
        first: false,
        amount: 150_000,
        points: 100,
        referred: i % 2 === 1,
        at: at(i + (k + 1) * 37),
      }));
    });
    const documents = [
      models.Customer.insertMany(
        batch.map((i, j) => ({
          _id: ids[j],
          code: `C${String(i).padStart(7, '0')}`,
          locale: 'vi',
          tier: i % 3 === 0 ? 'Member' : undefined,
          createdAt: at(i),
        })),
      ),
      models.Referral.insertMany(
        batch
          .filter((i) => i % 2 === 1 && i > 0)
          .map((i) => ({
            friendId: ids[i - offset],
            referrerId: founder,
            code: 'C0000000',
            via: 'telegram',
            joinedAt: at(i),
            status: i % 4 === 1 ? 'converted' : 'joined',
            convertedAt: i % 4 === 1 ? at(i) : undefined,
          })),
      ),
      models.Visit.insertMany(
        batch.map((i, j) => ({
          key: `first:${String(ids[j])}`,
          customerId: ids[j],
          staffId: founder,
          first: true,
          amount: 200_000,
          points: 100,
          referred: i % 2 === 1,
          at: at(i),
        })),
      ),
      models.LinkOpen.insertMany(batch.map((i) => ({ code: 'C0000000', referrerId: founder, via: 'link', at: at(i) }))),
      ...Array.from({ length: Math.ceil(repeats.length / 1000) }, (_, k) => models.Visit.insertMany(repeats.slice(k * 1000, (k + 1) * 1000))),
    ];
    written += (await Promise.all(documents)).reduce((sum, docs) => sum + docs.length, 0);
    onProgress(offset + batch.length);
  }
  return written;
}
