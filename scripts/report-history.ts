// A shop's history for the report benchmark and the rollup tests: customers, referrals over
// every channel (some converted, some revoked as fraud), visits, vouchers, link opens and
// notifications spread over `days` business days before `now`, inserted in bulk through the
// driver (no per-document validation), deterministic for a given seed. Each counted stamp
// has its day key beside it, as the app writes them (see domain/schedule.ts dayKey).
import { Types } from 'mongoose';
import { referralChannels } from '../src/db/models/customer.js';
import type { Models } from '../src/db/models/index.js';
import { dayKey } from '../src/domain/schedule.js';
import { keyedSinceSetting } from '../src/services/day-keys.js';

export interface HistoryOptions {
  customers: number;
  /** Roughly how many records in all (customers included); later visits make up the rest. */
  events: number;
  days: number;
  now: Date;
  seed?: number;
  /** The shop's time zone, which the day keys are in (the app's default when not given). */
  timezone?: string;
  /** Called after each batch with the records inserted so far. */
  progress?: (inserted: number) => void;
}

const DAY = 24 * 3600_000;
const BATCH = 2_000;

/** mulberry32: small, fast, and the same numbers for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Doc = Record<string, unknown>;

export async function generateHistory(models: Models, options: HistoryOptions): Promise<{ inserted: number; referrerIds: Types.ObjectId[] }> {
  const rand = random(options.seed ?? 12);
  const zone = options.timezone ?? 'Asia/Ho_Chi_Minh';
  const day = (at: Date | undefined) => (at ? dayKey(at, zone) : undefined);
  const end = options.now.getTime() - 60_000;
  const begin = end - options.days * DAY;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const before = (at: number, spread: number) => Math.min(end, at + Math.floor(rand() * spread));
  const stamped = (at: Date) => ({ at, atDay: day(at) });
  const referrerIds = Array.from({ length: Math.max(1, Math.floor(options.customers / 50)) }, () => new Types.ObjectId());
  const reward = { kind: 'percent_off', value: 10, label: { vi: 'Giảm 10%', en: '10% off' } };
  let inserted = 0;
  let voucherSeq = 0;
  const perCustomer = Math.max(0, (options.events - options.customers * 4.2) / options.customers);

  const flush = async (batches: Array<[keyof Models, Doc[]]>) => {
    for (const [name, docs] of batches) {
      if (docs.length === 0) continue;
      await models[name].collection.insertMany(docs, { ordered: false });
      inserted += docs.length;
    }
    options.progress?.(inserted);
  };

  for (let offset = 0; offset < options.customers; offset += BATCH) {
    const customers: Doc[] = [];
    const referrals: Doc[] = [];
    const visits: Doc[] = [];
    const vouchers: Doc[] = [];
    const opens: Doc[] = [];
    const notifications: Doc[] = [];
    const memberships: Doc[] = [];
    for (let i = offset; i < Math.min(options.customers, offset + BATCH); i++) {
      const _id = referrerIds[i] ?? new Types.ObjectId();
      const joined = begin + Math.floor(rand() * (end - begin));
      customers.push({
        _id,
        code: `H${String(i).padStart(7, '0')}`,
        name: `Khách ${i}`,
        locale: 'vi',
        role: 'customer',
        createdAt: new Date(joined),
        createdDay: day(new Date(joined)),
      });
      let referred = false;
      if (i >= referrerIds.length && rand() < 0.5) {
        const referrerId = pick(referrerIds);
        const via = pick(referralChannels);
        const roll = rand();
        const converted = roll < 0.5 ? before(joined, 3 * DAY) : undefined;
        const status = converted === undefined ? (roll < 0.7 ? 'expired' : 'joined') : roll < 0.45 ? 'converted' : 'revoked';
        referred = status === 'converted' || status === 'revoked';
        // As attribution writes it: the reports count a friend's spending under this channel.
        Object.assign(customers[customers.length - 1]!, { referrerId, referredVia: via });
        referrals.push({
          friendId: _id,
          referrerId,
          code: 'H',
          via,
          status,
          joinedAt: new Date(joined),
          joinedDay: day(new Date(joined)),
          convertedAt: converted && new Date(converted),
          convertedDay: converted && day(new Date(converted)),
        });
        for (let k = 0; k < 2; k++) {
          const at = new Date(Math.max(begin, joined - Math.floor(rand() * DAY)));
          opens.push({ code: 'H', referrerId, via, at, atDay: day(at) });
        }
        if (converted !== undefined) {
          for (const side of ['friend', 'referrer']) {
            const redeemed = rand() < 0.5 ? before(converted, 10 * DAY) : undefined;
            const state = redeemed !== undefined ? 'redeemed' : status === 'revoked' ? 'cancelled' : 'active';
            vouchers.push({
              code: `V${String(voucherSeq++).padStart(9, '0')}`,
              causeKey: `history:${String(_id)}:${side}`,
              customerId: side === 'friend' ? _id : referrerId,
              cause: `referral_${side}`,
              reward,
              status: state,
              issuedAt: new Date(converted),
              issuedDay: day(new Date(converted)),
              expiresAt: new Date(converted + 60 * DAY),
              redeemedAt: redeemed && new Date(redeemed),
              redeemedDay: redeemed && day(new Date(redeemed)),
            });
          }
          visits.push({
            key: `first:${String(_id)}`,
            customerId: _id,
            staffId: referrerIds[0],
            first: true,
            amount: 300_000,
            points: 100,
            referred,
            at: new Date(converted),
            atDay: day(new Date(converted)),
          });
        }
      }
      if (!referred && rand() < 0.7) {
        visits.push({
          key: `first:${String(_id)}`,
          customerId: _id,
          staffId: referrerIds[0],
          first: true,
          amount: 200_000,
          points: 100,
          referred: false,
          ...stamped(new Date(before(joined, 5 * DAY))),
        });
      }
      const later = Math.floor(perCustomer) + (rand() < perCustomer % 1 ? 1 : 0);
      for (let k = 0; k < later; k++) {
        const at = before(joined, end - joined);
        visits.push({
          key: `visit:${String(_id)}:${k}`,
          customerId: _id,
          staffId: referrerIds[0],
          first: false,
          amount: 150_000 + 1000 * k,
          points: 100,
          referred,
          ...stamped(new Date(at)),
        });
      }
      if (rand() < 0.05) {
        const at = new Date(before(joined, 10 * DAY));
        memberships.push({
          customerId: _id,
          seq: 1,
          requestKey: `history:member:${String(_id)}`,
          months: 3,
          amount: 600_000,
          startsAt: at,
          endsAt: new Date(at.getTime() + 90 * DAY),
          ...stamped(at),
          soldBy: referrerIds[0],
        });
      }
      const extraOpens = rand() < 0.3 ? 1 : 0;
      for (let k = 0; k < extraOpens; k++)
        opens.push({ code: 'H', referrerId: pick(referrerIds), via: pick(referralChannels), ...stamped(new Date(before(begin, end - begin))) });
      if (rand() < 0.15) {
        const at = new Date(before(joined, 20 * DAY));
        const undeliverable = rand() < 0.2;
        const updatedAt = undeliverable ? new Date(before(at.getTime(), DAY)) : at;
        notifications.push({
          key: `history:tier:${String(_id)}`,
          type: 'tier_upgraded',
          customerId: _id,
          data: { tier: 'Silver', points: 500 },
          status: undeliverable ? 'undeliverable' : 'sent',
          attempts: 1,
          nextAttemptAt: at,
          createdAt: at,
          createdDay: day(at),
          updatedAt,
          undeliverableDay: undeliverable ? day(updatedAt) : undefined,
        });
      }
    }
    await flush([
      ['Customer', customers],
      ['Referral', referrals],
      ['Visit', visits],
      ['Voucher', vouchers],
      ['LinkOpen', opens],
      ['Notification', notifications],
      ['Membership', memberships],
    ]);
  }
  // Every record above has its day keys, so the reports may count each of these days by them.
  await models.Setting.updateOne(
    { key: keyedSinceSetting(zone) },
    { $set: { key: keyedSinceSetting(zone), value: dayKey(new Date(begin), zone) } },
    { upsert: true },
  );
  return { inserted, referrerIds };
}
