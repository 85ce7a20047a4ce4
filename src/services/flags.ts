import type { Types } from 'mongoose';
import type { Models } from '../db/models/index.js';
import type { FraudFlag } from '../db/models/fraud-flag.js';
import { isDuplicateKey } from './duplicate-key.js';

/** The fraud review queue: rules raise flags, the owner resolves them (see the fraud service). */
export function createFlags(models: Pick<Models, 'FraudFlag'>, now: () => Date) {
  /** Raises a flag once per `key` (the rule and what it saw). */
  async function raise(key: string, rule: string, customerId: Types.ObjectId, details: Record<string, unknown>): Promise<void> {
    await models.FraudFlag.updateOne({ key }, { $setOnInsert: { key, rule, customerId, details, status: 'open' } }, { upsert: true }).catch(
      (error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      },
    );
  }

  async function listOpen(limit: number): Promise<FraudFlag[]> {
    return models.FraudFlag.find({ status: 'open' }).sort({ createdAt: -1 }).limit(limit).lean<FraudFlag[]>();
  }

  async function get(flagId: Types.ObjectId): Promise<FraudFlag | undefined> {
    return (await models.FraudFlag.findById(flagId).lean<FraudFlag>()) ?? undefined;
  }

  async function resolve(flagId: Types.ObjectId, status: string, by: Types.ObjectId): Promise<void> {
    await models.FraudFlag.updateOne({ _id: flagId, status: 'open' }, { $set: { status, resolvedBy: by, resolvedAt: now() } });
  }

  /** Erasure: a flag on the person keeps its rule and decision (the referral counts rest on it), not its evidence. */
  async function erase(customerId: Types.ObjectId): Promise<void> {
    await models.FraudFlag.updateMany({ customerId }, { $set: { details: {} } });
  }

  return { raise, listOpen, get, resolve, erase };
}

export type Flags = ReturnType<typeof createFlags>;
