import type { Types } from 'mongoose';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';

/** How many of each kind of record the timeline reads (the latest ones): a long-standing customer's page stays small. */
export const JOURNEY_EACH = 100;

/** One step of a customer's journey, as the customer page lists it (newest first). */
export type JourneyEvent = { at: Date } & (
  | { kind: 'joined'; imported: boolean }
  | { kind: 'referred'; via: string; referrer?: { name: string; code: string }; status: string }
  | { kind: 'link_opened'; via: string }
  | { kind: 'friend_converted' }
  | { kind: 'visit'; first: boolean; amount?: number; points: number; undoneAt?: Date }
  | { kind: 'points'; delta: number; cause: string }
  | { kind: 'tier'; tier: string; raised: boolean }
  | { kind: 'voucher_issued'; code: string; cause: string; label: { vi: string; en: string } }
  | { kind: 'voucher_redeemed' | 'voucher_cancelled' | 'voucher_expired'; code: string; label: { vi: string; en: string } }
  | { kind: 'message'; type: string; status: string }
);

export type JourneyModels = Pick<Models, 'Referral' | 'Visit' | 'PointsEntry' | 'Voucher' | 'Notification' | 'LinkOpen' | 'Customer'>;

/**
 * The journey from the records each step left: the join, the referral that brought them, their
 * own link opened by others, visits, the points ledger, tiers (from the messages announcing
 * them), vouchers and every message owed to them with whether it arrived (its kind and status,
 * never its text). Each read is an equality on the customer's id.
 */
export async function readJourney(models: JourneyModels, customer: Customer, now: Date): Promise<JourneyEvent[]> {
  const customerId: Types.ObjectId = customer._id;
  const latest = <T>(query: { sort(s: Record<string, 1 | -1>): { limit(n: number): { lean<R>(): PromiseLike<R> } } }, field: string) =>
    query
      .sort({ [field]: -1 })
      .limit(JOURNEY_EACH)
      .lean<T>();
  const [referral, visits, entries, vouchers, notifications, opens, converted] = await Promise.all([
    models.Referral.findOne({ friendId: customerId }).lean(),
    latest<Array<{ at: Date; first: boolean; amount?: number; points: number; undoneAt?: Date }>>(models.Visit.find({ customerId }), 'at'),
    latest<Array<{ at: Date; delta: number; cause: string }>>(models.PointsEntry.find({ customerId }), 'at'),
    latest<Array<VoucherRow>>(models.Voucher.find({ customerId }), 'issuedAt'),
    latest<Array<{ createdAt: Date; type: string; status: string; data?: Record<string, unknown> }>>(
      models.Notification.find({ customerId }),
      'createdAt',
    ),
    latest<Array<{ at: Date; via: string }>>(models.LinkOpen.find({ referrerId: customerId }), 'at'),
    latest<Array<{ convertedAt?: Date }>>(models.Referral.find({ referrerId: customerId, status: 'converted' }), 'convertedAt'),
  ]);
  const referrer = referral ? await models.Customer.findById(referral.referrerId, { name: 1, code: 1 }).lean() : null;
  const events: JourneyEvent[] = [{ at: customer.importedAt ?? customer.createdAt, kind: 'joined', imported: !!customer.importedAt }];
  if (referral) {
    events.push({
      at: referral.joinedAt,
      kind: 'referred',
      via: referral.via,
      status: referral.status,
      ...(referrer ? { referrer: { name: referrer.name ?? '', code: referrer.code } } : {}),
    });
  }
  for (const open of opens) events.push({ at: open.at, kind: 'link_opened', via: open.via });
  for (const friend of converted) if (friend.convertedAt) events.push({ at: friend.convertedAt, kind: 'friend_converted' });
  for (const visit of visits) {
    events.push({
      at: visit.at,
      kind: 'visit',
      first: visit.first,
      points: visit.points,
      ...(visit.amount === undefined || visit.amount === null ? {} : { amount: visit.amount }),
      ...(visit.undoneAt ? { undoneAt: visit.undoneAt } : {}),
    });
  }
  for (const entry of entries) events.push({ at: entry.at, kind: 'points', delta: entry.delta, cause: entry.cause });
  for (const voucher of vouchers) events.push(...voucherEvents(voucher, now));
  for (const message of notifications) {
    events.push({ at: message.createdAt, kind: 'message', type: message.type, status: message.status });
    const tier = message.data?.tier;
    // A tier is announced in the message of the event that crossed it, or of the correction that lowered it.
    if (typeof tier === 'string' && (message.type !== 'correction' || message.data?.tierRaised || message.data?.tierLowered)) {
      events.push({ at: message.createdAt, kind: 'tier', tier, raised: !message.data?.tierLowered });
    }
  }
  return events.sort((a, b) => b.at.getTime() - a.at.getTime());
}

interface VoucherRow {
  code: string;
  cause: string;
  status: string;
  reward: { label: { vi: string; en: string } };
  issuedAt: Date;
  expiresAt: Date;
  redeemedAt?: Date;
  cancelledAt?: Date;
}

function voucherEvents(voucher: VoucherRow, now: Date): JourneyEvent[] {
  const { code } = voucher;
  const label = voucher.reward.label;
  const events: JourneyEvent[] = [{ at: voucher.issuedAt, kind: 'voucher_issued', code, cause: voucher.cause, label }];
  if (voucher.status === 'redeemed' && voucher.redeemedAt) events.push({ at: voucher.redeemedAt, kind: 'voucher_redeemed', code, label });
  if (voucher.status === 'cancelled') events.push({ at: voucher.cancelledAt ?? voucher.issuedAt, kind: 'voucher_cancelled', code, label });
  // An active voucher past its date has expired, whether or not the expiry job has marked it yet.
  if (voucher.status === 'expired' || (voucher.status === 'active' && voucher.expiresAt <= now)) {
    events.push({ at: voucher.expiresAt, kind: 'voucher_expired', code, label });
  }
  return events;
}
