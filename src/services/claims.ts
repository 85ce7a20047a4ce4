import type { Models } from '../db/models/index.js';
import { isDuplicateKey } from './duplicate-key.js';
import { deleteEach } from '../db/each-value.js';

export interface ClaimHolder {
  by?: string;
  at: Date;
}

/**
 * Exclusive steps as inserts under a unique key (see the Claim model): the one way to act
 * once on FerretDB, which does not make concurrent updates of one document atomic.
 */
export function createClaims(models: Pick<Models, 'Claim'>, now: () => Date) {
  /** True for exactly one caller per key, ever (until released). */
  async function take(key: string, by?: string): Promise<boolean> {
    try {
      await models.Claim.create({ key, by, at: now() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Who holds the claim and since when, or undefined while nobody does. */
  async function holder(key: string): Promise<ClaimHolder | undefined> {
    const claim = await models.Claim.findOne({ key }, { by: 1, at: 1 }).lean();
    return claim ? { by: claim.by ?? undefined, at: claim.at } : undefined;
  }

  /** True when this caller took the claim now or holds it from an earlier try (a retry carries on). */
  async function takeOrHold(key: string, by: string): Promise<boolean> {
    return (await take(key, by)) || (await holder(key))?.by === by;
  }

  /** Gives a claim back (only the one taken at `at`, when given), so the step can be taken again. */
  async function release(key: string, at?: Date): Promise<void> {
    await models.Claim.deleteOne(at ? { key, at } : { key });
  }

  /** Forgets the claims of things that are gone (e.g. pruned action cards). */
  async function releaseAll(keys: string[]): Promise<void> {
    await deleteEach(keys, (key) => models.Claim.deleteMany({ key }));
  }

  /** Erasure: claims held in the name of a chat identity no longer name it. */
  async function forgetHolder(by: string): Promise<void> {
    await models.Claim.updateMany({ by }, { $unset: { by: 1 } });
  }

  /** The keys of claims held by `by` (e.g. a customer id) that start with `prefix`. */
  async function heldBy(by: string, prefix: string): Promise<string[]> {
    const held = await models.Claim.find({ by }, { key: 1 }).lean();
    return held.map((claim) => claim.key).filter((key) => key.startsWith(prefix));
  }

  return { take, holder, takeOrHold, release, releaseAll, forgetHolder, heldBy };
}

export type Claims = ReturnType<typeof createClaims>;
