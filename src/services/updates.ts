import { randomUUID } from 'node:crypto';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';

/** What became of an incoming update given to `handleOnce`. */
export type UpdateOutcome =
  /** Handled now (its replies went out). */
  | 'handled'
  /** Handled before: a redelivery, dropped. */
  | 'duplicate'
  /** Another process (or this one) is handling it right now: ask for it again later. */
  | 'busy';

/** How long a `handling` claim stands before it counts as abandoned by a crashed process. */
export const UPDATE_CLAIM_LEASE_MS = 60_000;
/** Long enough for any redelivery of a chat update; Telegram keeps updates for 24 hours. */
const PROCESSED_UPDATE_RETENTION_DAYS = 7;

export type UpdateLedgerDeps = Pick<ServicePieces, 'now' | 'logger'> & { models: Pick<Models, 'ProcessedUpdate'> };

/**
 * "An update delivered twice is handled once, and marked handled only once it was handled",
 * for every channel and mode. The update's key is claimed by an insert (exclusive on every
 * server), confirmed after the work succeeded, and released when it failed, so the
 * platform's redelivery (webhook retry, the next getUpdates) is handled. A confirm or
 * release that cannot reach the database is retried in the background until it lands, so
 * a short outage does not leave the update claimed for a whole lease.
 */
export function createUpdateLedger(ctx: UpdateLedgerDeps, options: { processId?: string; leaseMs?: number } = {}) {
  const { models, logger } = ctx;
  const processId = options.processId ?? randomUUID();
  const leaseMs = options.leaseMs ?? UPDATE_CLAIM_LEASE_MS;
  /** Updates this process is handling, or handled but could not yet confirm. */
  const inHand = new Map<string, 'working' | 'handled'>();

  async function claim(key: string): Promise<'claimed' | 'duplicate' | 'busy'> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await models.ProcessedUpdate.create({ key, state: 'handling', by: processId, processedAt: ctx.now() });
        return 'claimed';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await models.ProcessedUpdate.findOne({ key }).lean();
      if (!existing) continue; // released in the meantime
      if (existing.state !== 'handling') return 'duplicate';
      if (existing.by === processId) {
        const mine = inHand.get(key);
        if (mine) return mine === 'handled' ? 'duplicate' : 'busy';
        // Our own claim that an outage kept us from releasing: take it back at once.
        return 'claimed';
      }
      if (ctx.now().getTime() - existing.processedAt.getTime() < leaseMs) return 'busy';
      // Its holder died while handling: free it for whoever claims next.
      await models.ProcessedUpdate.deleteOne({ key, state: 'handling', by: existing.by });
    }
    return 'busy';
  }

  /**
   * Tries `write` once; when that fails, keeps trying in the background until it succeeds
   * or the lease ran out, then calls `done`.
   */
  async function persist(what: string, key: string, write: () => Promise<unknown>, done: () => void): Promise<void> {
    const deadline = Date.now() + leaseMs;
    const attempt = async (delay: number): Promise<void> => {
      try {
        await write();
        done();
      } catch (error) {
        if (Date.now() + delay > deadline) {
          logger.error({ err: error, key }, `could not ${what} a chat update`);
          done();
          return;
        }
        setTimeout(() => void attempt(Math.min(delay * 2, 2000)), delay).unref();
      }
    };
    await attempt(250);
  }

  /**
   * Runs `work` for the update `key` unless it was handled already or is in hand elsewhere.
   * Errors of `work` propagate after the claim was released (the caller answers 5xx or
   * does not acknowledge, so the update comes again); only the claim's own database
   * errors propagate before any work was done.
   */
  async function handleOnce(key: string, work: () => Promise<void>): Promise<UpdateOutcome> {
    const claimed = await claim(key);
    if (claimed !== 'claimed') return claimed;
    inHand.set(key, 'working');
    try {
      await work();
    } catch (error) {
      inHand.delete(key);
      // A redelivery may have taken the claim back meanwhile: then it is no longer ours to drop.
      const release = async () => (inHand.has(key) ? undefined : models.ProcessedUpdate.deleteOne({ key, by: processId, state: 'handling' }));
      await persist('release', key, release, () => undefined);
      throw error;
    }
    inHand.set(key, 'handled');
    await persist(
      'confirm',
      key,
      () => models.ProcessedUpdate.updateOne({ key, by: processId }, { $set: { state: 'handled', processedAt: ctx.now() } }),
      () => inHand.delete(key),
    );
    return 'handled';
  }

  /** Deletes update keys older than the retention (FerretDB has no TTL indexes); returns how many. */
  async function prune(at: Date): Promise<number> {
    const cutoff = new Date(at.getTime() - PROCESSED_UPDATE_RETENTION_DAYS * 24 * 3600_000);
    return (await models.ProcessedUpdate.deleteMany({ processedAt: { $lt: cutoff } })).deletedCount;
  }

  return { handleOnce, prune };
}

export type UpdateLedger = ReturnType<typeof createUpdateLedger>;
