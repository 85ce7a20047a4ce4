import type { Types } from 'mongoose';
import { tierForPoints } from '../domain/loyalty.js';
import type { ServiceContext } from './context.js';
import { isDuplicateKey } from './context.js';

export interface TierUpgrade {
  tier: string;
  rank: number;
}

/**
 * The points ledger. Each change is an entry with a unique cause key, so a retried cause
 * adds nothing. The balance on the customer is recomputed from the ledger after every
 * change and written only if it covers more entries than what is stored, so concurrent
 * refreshes converge on the full sum without transactions.
 *
 * Tiers never go down: points are lifetime earnings (rewards do not spend them), so the
 * tier is the highest one the total has reached.
 */
export function createPointsLedger(ctx: ServiceContext) {
  const { models, program } = ctx;

  /** Writes the ledger's sum on the customer if it covers more entries than what is stored. */
  async function storeBalance(customerId: Types.ObjectId): Promise<{ points: number; count: number }> {
    // Summed here rather than with $group: FerretDB 1.x counts `{ $sum: 1 }` as 0, and one
    // customer's ledger is short (an entry per visit, referral or bonus).
    const entries = await models.PointsEntry.find({ customerId }, { delta: 1, _id: 0 }).lean();
    const points = entries.reduce((sum, entry) => sum + entry.delta, 0);
    await models.Customer.updateOne(
      { _id: customerId, ledgerCount: { $lt: entries.length } },
      { $set: { points, ledgerCount: entries.length } },
    );
    return { points, count: entries.length };
  }

  async function refresh(customerId: Types.ObjectId): Promise<{ points: number; upgrade?: TierUpgrade }> {
    let { points } = await storeBalance(customerId);
    // Where guarded updates are not atomic (FerretDB), a slower writer can store an older
    // sum after ours; every writer checks after writing, so the newest sum always lands.
    for (let i = 0; i < 5; i++) {
      const [stored, entries] = await Promise.all([
        models.Customer.findById(customerId, { ledgerCount: 1 }).lean(),
        models.PointsEntry.countDocuments({ customerId }),
      ]);
      if (!stored || stored.ledgerCount >= entries) break;
      ({ points } = await storeBalance(customerId));
    }

    const { rank, tier } = tierForPoints(points, program.tiers);
    const customer = await models.Customer.findById(customerId, { tierRank: 1 }).lean();
    if (!tier || !customer || customer.tierRank >= rank) return { points };
    // Recorded before the tier is stored: a crash in between leaves the upgrade to redo, not lost.
    await ctx.recordNotification(`tier_upgraded:${String(customerId)}:${tier.name}`, 'tier_upgraded', customerId, {
      tier: tier.name,
      rank,
      points,
    });
    const updated = await models.Customer.updateOne(
      { _id: customerId, tierRank: { $lt: rank } },
      { $set: { tier: tier.name, tierRank: rank } },
    );
    return updated.modifiedCount === 1 ? { points, upgrade: { tier: tier.name, rank } } : { points };
  }

  /** Adds points once per cause key; returns the balance and any tier upgrade it caused. */
  async function add(
    customerId: Types.ObjectId,
    delta: number,
    cause: 'visit' | 'referral' | 'bonus' | 'reversal',
    causeKey: string,
  ): Promise<{ points: number; upgrade?: TierUpgrade }> {
    if (delta !== 0) {
      await models.PointsEntry.create({ causeKey, customerId, delta, cause, at: ctx.now() }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    }
    return refresh(customerId);
  }

  return { add, refresh };
}

export type PointsLedger = ReturnType<typeof createPointsLedger>;
