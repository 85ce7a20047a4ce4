import type { Types } from 'mongoose';
import { tierForPoints } from '../domain/loyalty.js';
import { ledgerTotals, type PointsTotals } from '../domain/wallet.js';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { PointsEntry } from '../db/models/points-entry.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

/** Entries that spend the balance and earn nothing: they lower the balance only. */
const SPENDING_CAUSES: ReadonlySet<PointsEntry['cause']> = new Set(['claim', 'expiry']);
/** A wallet lease older than this belongs to a spend that died mid-way: the next spend takes it over. */
const WALLET_LEASE_MS = 30_000;
/** How long a spend waits for another spend of the same customer before giving up (real time). */
const WALLET_WAIT_MS = 8_000;

export type SpendResult =
  | { ok: true; totals: PointsTotals }
  | { ok: false; reason: 'not_enough_points'; balance: number }
  /** Another spend of this customer held the wallet the whole time: nothing changed, try again. */
  | { ok: false; reason: 'busy' };

/** A tier an event announces: the one its points reached, when the event owns the tier's claim. */
export interface TierUpgrade {
  tier: string;
  rank: number;
  /** The balance that reached it. */
  points: number;
}

/**
 * The points ledger. Each change is an entry with a unique cause key, so a retried cause
 * adds nothing. Lifetime points (earned entries) and the balance (all entries) on the customer
 * are recomputed from the ledger after every change and written only if they cover more
 * entries than what is stored, so concurrent refreshes converge on the full sums without
 * transactions.
 *
 * Spending (spend) is the one change that depends on the balance: it runs under the customer's
 * wallet lease (a claim), so two spends never read the same balance.
 *
 * Tiers follow lifetime points, which spending does not lower: the tier is the highest one the
 * total has reached, lowered only when a correction takes points back (lowerTierToPoints). A
 * tier is announced by one event only (see settleTier).
 */
/** The cause key of an imported entry whose phone number was erased. */
const ERASED_IMPORT_PREFIX = 'import:erased:';

export function createPointsLedger(
  ctx: Pick<ServicePieces, 'program' | 'now' | 'claims' | 'records'> & { models: Pick<Models, 'Customer' | 'PointsEntry'> },
) {
  const { models, program } = ctx;

  /** The customer's entries: summed here rather than with $group (FerretDB 1.x counts `{ $sum: 1 }` as 0); one ledger is short. */
  const entriesOf = (customerId: Types.ObjectId) =>
    models.PointsEntry.find({ customerId }, { delta: 1, earned: 1, causeKey: 1, at: 1, _id: 0 }).lean<
      Array<Pick<PointsEntry, 'delta' | 'earned' | 'causeKey' | 'at'>>
    >();

  /** When the customer's ledger last changed (their newest entry), or undefined for an empty ledger. */
  async function lastChange(customerId: Types.ObjectId): Promise<Date | undefined> {
    return (await models.PointsEntry.findOne({ customerId }, { at: 1 }).sort({ at: -1 }).lean())?.at;
  }

  /** Writes the ledger's sums on the customer if they cover more entries than what is stored. */
  async function storeTotals(customerId: Types.ObjectId): Promise<{ totals: PointsTotals; count: number }> {
    const entries = await entriesOf(customerId);
    const totals = ledgerTotals(entries);
    await ctx.records.storeBalance(customerId, totals, entries.length);
    return { totals, count: entries.length };
  }

  /** Lifetime points and balance after the latest entries, once the stored sums cover all of them. */
  async function refresh(customerId: Types.ObjectId): Promise<PointsTotals> {
    let { totals, count } = await storeTotals(customerId);
    // Where guarded updates are not atomic (FerretDB), a slower writer can store an older
    // sum after ours; every writer checks after writing that no entry came after its sum, so
    // the last writer, whose check comes after every write, stores the newest sum.
    for (let i = 0; i < 5; i++) {
      if ((await models.PointsEntry.countDocuments({ customerId })) <= count) break;
      ({ totals, count } = await storeTotals(customerId));
    }
    return totals;
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
     * The lifetime points `add` just returned and the tier rank the caller loaded this update, when it
     * has them. A rank read earlier in the update is safe: the tier's claim decides who announces.
     */
    known: { points?: number; tierRank?: number } = {},
  ): Promise<TierUpgrade | undefined> {
    const points = known.points ?? (await refresh(customerId)).points;
    const { rank, tier } = tierForPoints(points, program.tiers);
    const tierRank = tier ? (known.tierRank ?? (await models.Customer.findById(customerId, { tierRank: 1 }).lean())?.tierRank) : undefined;
    let upgrade: TierUpgrade | undefined;
    if (tier && tierRank !== undefined) {
      const key = `tier:${String(customerId)}:${tier.id}`;
      // A tier already stored is claimed only by the event that crossed it (a rerun finds its claim).
      const owns = tierRank < rank ? await ctx.claims.takeOrHold(key, eventKey) : (await ctx.claims.holder(key))?.by === eventKey;
      if (owns) upgrade = { tier: tier.id, rank, points };
    }
    await announce(upgrade);
    // Stored by whichever event gets here: the owner of the announcement may have crashed.
    if (tier && tierRank !== undefined && tierRank < rank) await ctx.records.raiseTier(customerId, tier.id, rank);
    return upgrade;
  }

  /**
   * Adds an entry once per cause key (a spending cause earns nothing, see SPENDING_CAUSES);
   * returns both figures after it. A raised tier waits for the event's settleTier.
   */
  async function change(customerId: Types.ObjectId, delta: number, cause: PointsEntry['cause'], causeKey: string): Promise<PointsTotals> {
    if (delta !== 0) await insert(customerId, delta, cause, causeKey);
    return refresh(customerId);
  }

  async function insert(customerId: Types.ObjectId, delta: number, cause: PointsEntry['cause'], causeKey: string): Promise<void> {
    await models.PointsEntry.create({ causeKey, customerId, delta, cause, earned: !SPENDING_CAUSES.has(cause), at: ctx.now() }).catch(
      (error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      },
    );
  }

  /** Adds points once per cause key; returns the lifetime points. */
  async function add(customerId: Types.ObjectId, delta: number, cause: PointsEntry['cause'], causeKey: string): Promise<number> {
    return (await change(customerId, delta, cause, causeKey)).points;
  }

  /**
   * Takes `amount` points off the balance once per cause key, never below zero; `{ idleSince }`
   * (an expiry): the whole balance, unless the ledger changed after that moment. The balance is read and the entry written while holding the
   * customer's wallet lease (`wallet:<customer>`), so racing spends see each other's entries.
   * A retry of the same cause key finds its entry and changes nothing more.
   */
  async function spend(
    customerId: Types.ObjectId,
    amount: number | { idleSince: Date },
    cause: 'claim' | 'expiry',
    causeKey: string,
  ): Promise<SpendResult> {
    if (await models.PointsEntry.exists({ causeKey })) return { ok: true, totals: await refresh(customerId) };
    const lease = await takeWallet(customerId, causeKey);
    if (!lease) return { ok: false, reason: 'busy' };
    try {
      const entries = await entriesOf(customerId);
      if (!entries.some((entry) => entry.causeKey === causeKey)) {
        const { balance } = ledgerTotals(entries);
        const idle = typeof amount === 'number' || entries.every((entry) => entry.at <= amount.idleSince);
        const debit = typeof amount === 'number' ? amount : idle ? balance : 0;
        if (debit > balance) return { ok: false, reason: 'not_enough_points', balance };
        if (debit > 0) await insert(customerId, -debit, cause, causeKey);
      }
    } finally {
      if (lease.own) await ctx.claims.release(walletKey(customerId), lease.at);
    }
    return { ok: true, totals: await refresh(customerId) };
  }

  const walletKey = (customerId: Types.ObjectId) => `wallet:${String(customerId)}`;

  /**
   * The customer's wallet lease for `causeKey`: taken now (`own`: released after), or held by
   * an earlier try of the same cause (it carries on; its unique cause key keeps it once). A
   * lease past WALLET_LEASE_MS is taken over; otherwise this waits its turn.
   */
  async function takeWallet(customerId: Types.ObjectId, causeKey: string): Promise<{ own: boolean; at?: Date } | undefined> {
    const key = walletKey(customerId);
    const deadline = Date.now() + WALLET_WAIT_MS;
    for (let wait = 10; Date.now() < deadline; wait = Math.min(wait * 2, 200)) {
      const at = ctx.now();
      if (await ctx.claims.take(key, causeKey)) return { own: true, at };
      const holder = await ctx.claims.holder(key);
      if (holder?.by === causeKey) return { own: false };
      if (holder && ctx.now().getTime() - holder.at.getTime() >= WALLET_LEASE_MS) {
        await ctx.claims.release(key, holder.at);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random())));
    }
    return undefined;
  }

  /**
   * Puts back the sums and the tier of `stored` (the record as just read) where they fall short
   * of the ledger; returns whether anything was short. Needed where one update rewrites the
   * whole record (FerretDB): a racing write of another field can restore an older copy of these.
   */
  async function restore(stored: Pick<Customer, '_id' | 'ledgerCount' | 'tierRank'>): Promise<boolean> {
    const { totals, count } = await storeTotals(stored._id);
    const { rank, tier } = tierForPoints(totals.points, program.tiers);
    const tierShort = !!tier && (stored.tierRank ?? 0) < rank;
    if (tierShort) await ctx.records.raiseTier(stored._id, tier.id, rank);
    return tierShort || (stored.ledgerCount ?? 0) < count;
  }

  /**
   * After a correction took points back: the tier the corrected lifetime points give, stored
   * when it is lower than the one on the record. The claims of the tiers lost are given back,
   * so reaching one of them again is announced again (the customer was told they lost it).
   * A tier the points still reach is left as it is (a raise is settleTier's).
   */
  async function lowerTierToPoints(customerId: Types.ObjectId): Promise<{ points: number; lowered: boolean }> {
    const { points } = await refresh(customerId);
    const { rank, tier } = tierForPoints(points, program.tiers);
    const stored = (await models.Customer.findById(customerId, { tierRank: 1 }).lean())?.tierRank ?? 0;
    if (rank >= stored) return { points, lowered: false };
    await ctx.records.lowerTier(customerId, tier?.id, rank, stored);
    await ctx.claims.releaseAll(program.tiers.slice(rank, stored).map((lost) => `tier:${String(customerId)}:${lost.id}`));
    return { points, lowered: true };
  }

  /**
   * Brings every customer's stored tier in line with the current rules (at start and after the
   * rules change): ids for records from before tier ids, ranks for the tiers' current order.
   * Returns how many records moved from a name to an id.
   */
  async function alignTiers(): Promise<number> {
    let moved = 0;
    for (const [i, tier] of program.tiers.entries()) moved += await ctx.records.alignTier(tier.id, [tier.name.vi, tier.name.en], i + 1);
    return moved;
  }

  /**
   * Erasure: the entries stay (the shop's accounts), but an imported entry's cause key carried
   * the phone number (`import:<phone>`); returns those numbers, for the import to forget.
   */
  async function erase(customerId: Types.ObjectId): Promise<string[]> {
    const imported = await models.PointsEntry.find({ customerId, cause: 'import' }, { causeKey: 1 }).lean();
    const phones: string[] = [];
    for (const entry of imported) {
      if (entry.causeKey.startsWith(ERASED_IMPORT_PREFIX)) continue;
      phones.push(entry.causeKey.slice('import:'.length));
      await models.PointsEntry.updateOne({ _id: entry._id }, { $set: { causeKey: `${ERASED_IMPORT_PREFIX}${String(entry._id)}` } });
    }
    return phones;
  }

  return { add, change, spend, lastChange, settleTier, restore, lowerTierToPoints, alignTiers, erase };
}

export type PointsLedger = ReturnType<typeof createPointsLedger>;
