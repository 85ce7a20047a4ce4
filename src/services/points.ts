import type { Types } from 'mongoose';
import { tierForPoints } from '../domain/loyalty.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

/** A tier an event announces: the one its points reached, when the event owns the tier's claim. */
export interface TierUpgrade {
  tier: string;
  rank: number;
  /** The balance that reached it. */
  points: number;
}

/**
 * The points ledger. Each change is an entry with a unique cause key, so a retried cause
 * adds nothing. The balance on the customer is recomputed from the ledger after every
 * change and written only if it covers more entries than what is stored, so concurrent
 * refreshes converge on the full sum without transactions.
 *
 * Tiers never go down: points are lifetime earnings (rewards do not spend them), so the
 * tier is the highest one the total has reached. A tier is announced by one event only
 * (see settleTier).
 */
export function createPointsLedger(
  ctx: Pick<ServicePieces, 'program' | 'now' | 'claims' | 'records'> & { models: Pick<Models, 'Customer' | 'PointsEntry'> },
) {
  const { models, program } = ctx;

  /** Writes the ledger's sum on the customer if it covers more entries than what is stored. */
  async function storeBalance(customerId: Types.ObjectId): Promise<{ points: number; count: number }> {
    // Summed here rather than with $group: FerretDB 1.x counts `{ $sum: 1 }` as 0, and one
    // customer's ledger is short (an entry per visit, referral or bonus).
    const entries = await models.PointsEntry.find({ customerId }, { delta: 1, _id: 0 }).lean();
    const points = entries.reduce((sum, entry) => sum + entry.delta, 0);
    await ctx.records.storeBalance(customerId, points, entries.length);
    return { points, count: entries.length };
  }

  /** The balance after the latest entries, once the stored sum covers all of them. */
  async function refresh(customerId: Types.ObjectId): Promise<number> {
    let { points, count } = await storeBalance(customerId);
    // Where guarded updates are not atomic (FerretDB), a slower writer can store an older
    // sum after ours; every writer checks after writing that no entry came after its sum, so
    // the last writer, whose check comes after every write, stores the newest sum.
    for (let i = 0; i < 5; i++) {
      if ((await models.PointsEntry.countDocuments({ customerId })) <= count) break;
      ({ points, count } = await storeBalance(customerId));
    }
    return points;
  }

  /**
   * Ends an event that gave a customer points (`eventKey`, e.g. a visit): the tier the balance
   * reached is claimed under `tier:<customer>:<tier>` by the event, so two events racing across
   * it announce it once. `announce` records the event's one notification, with the tier when
   * this event owns it, before the tier is stored: a rerun after a crash finds its own claim
   * and announces what was missing. Returns the tier announced.
   */
  async function settleTier(
    customerId: Types.ObjectId,
    eventKey: string,
    announce: (upgrade: TierUpgrade | undefined) => Promise<void>,
    /**
     * The balance `add` just returned and the tier rank the caller loaded this update, when it
     * has them. A rank read earlier in the update is safe: the tier's claim decides who announces.
     */
    known: { points?: number; tierRank?: number } = {},
  ): Promise<TierUpgrade | undefined> {
    const points = known.points ?? (await refresh(customerId));
    const { rank, tier } = tierForPoints(points, program.tiers);
    const tierRank = tier ? (known.tierRank ?? (await models.Customer.findById(customerId, { tierRank: 1 }).lean())?.tierRank) : undefined;
    let upgrade: TierUpgrade | undefined;
    if (tier && tierRank !== undefined) {
      const key = `tier:${String(customerId)}:${tier.name}`;
      // A tier already stored is claimed only by the event that crossed it (a rerun finds its claim).
      const owns = tierRank < rank ? await ctx.claims.takeOrHold(key, eventKey) : (await ctx.claims.holder(key))?.by === eventKey;
      if (owns) upgrade = { tier: tier.name, rank, points };
    }
    await announce(upgrade);
    // Stored by whichever event gets here: the owner of the announcement may have crashed.
    if (tier && tierRank !== undefined && tierRank < rank) await ctx.records.raiseTier(customerId, tier.name, rank);
    return upgrade;
  }

  /** Adds points once per cause key; returns the balance. A raised tier waits for the event's settleTier. */
  async function add(
    customerId: Types.ObjectId,
    delta: number,
    cause: 'visit' | 'referral' | 'bonus' | 'reversal' | 'import',
    causeKey: string,
  ): Promise<number> {
    if (delta !== 0) {
      await models.PointsEntry.create({ causeKey, customerId, delta, cause, at: ctx.now() }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
    }
    return refresh(customerId);
  }

  return { add, settleTier };
}

export type PointsLedger = ReturnType<typeof createPointsLedger>;
