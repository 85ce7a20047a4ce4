import type { Models } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import { isDuplicateKey } from './duplicate-key.js';

/** 'ok' within the person's share; 'first_over' for the one message answered "slow down"; 'over' for the rest. */
export type FloodVerdict = 'ok' | 'first_over' | 'over';

/**
 * Limits shared by every process on the database, built from claims (see the RateSlot
 * model). rate-limiter-flexible's RateLimiterMongo is not used: on FerretDB 1.x its TTL
 * index cannot be created (and with it neither its unique index), and its `$inc` upsert on
 * one document loses increments under concurrency (20 parallel consumes let 11 through).
 */
export function createLimits(ctx: { models: Pick<Models, 'RateSlot'>; logger: Logger; now: () => Date }) {
  const { models, logger } = ctx;
  let storeDown = false;

  /**
   * The window a message sent at `at` counts in: the person's latest window if it is still
   * open at `at`, else a new one starting at `at`. Exactly one caller creates each window.
   */
  async function windowOf(scope: string, at: Date, durationMs: number): Promise<{ seq: number; at: Date }> {
    for (;;) {
      const latest = await models.RateSlot.findOne({ scope }, { seq: 1, at: 1 }).sort({ seq: -1 }).lean();
      if (latest && at.getTime() < latest.at.getTime() + durationMs) return latest;
      const seq = (latest?.seq ?? 0) + 1;
      try {
        await models.RateSlot.create({ key: `${scope}:${seq}`, scope, seq, at });
        return { seq, at };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  /**
   * Counts one message of a person (`who`, e.g. "telegram:123") sent at `at` (the platform's
   * timestamp, so messages delivered late after an outage count when they were sent) against
   * `messages` per `seconds`. Slots in a window are claimed in order 1, 2, …, so the set of
   * taken slots is always 1..n and exactly one message gets slot `messages + 1`. When the
   * database cannot be reached the limit fails open: a message is not dropped for that.
   */
  async function flood(who: string, sentAt: Date, limit: { messages: number; seconds: number }): Promise<FloodVerdict> {
    // A send time in the future or over a day old is not believed (a unit mix-up, a clock off).
    const now = ctx.now().getTime();
    const at = Number.isFinite(sentAt.getTime()) && sentAt.getTime() <= now && sentAt.getTime() > now - 24 * 3600 * 1000 ? sentAt : new Date(now);
    try {
      const scope = `flood:${who}`;
      const window = await windowOf(`${scope}:w`, at, limit.seconds * 1000);
      const windowScope = `${scope}:${window.seq}`;
      const taken = await models.RateSlot.countDocuments({ scope: windowScope });
      for (let slot = taken + 1; slot <= limit.messages + 1; slot++) {
        try {
          await models.RateSlot.create({ key: `${windowScope}:${slot}`, scope: windowScope, seq: slot, at: window.at });
          storeDown = false;
          return slot <= limit.messages ? 'ok' : 'first_over';
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      return 'over';
    } catch (error) {
      if (!storeDown) logger.warn({ err: error }, 'flood limit unavailable; letting messages through');
      storeDown = true;
      return 'ok';
    }
  }

  /**
   * Reserves the next send moment for one chat, at least `intervalMs` after the previous
   * one reserved by any process: slot n stands for the moment n × intervalMs, the first
   * candidate is the next slot boundary from now (never one already begun, which would
   * allow two sends closer than the interval), and each slot is an exclusive insert.
   * Distinct slots are whole intervals apart, so no read of the latest one is needed: the
   * usual case (a chat not sent to this second) costs one insert. Returns the moment (ms
   * epoch) to send at.
   */
  async function chatSlot(channel: string, chatId: string, intervalMs: number): Promise<number> {
    if (intervalMs <= 0) return ctx.now().getTime();
    const scope = `pace:${channel}:${chatId}`;
    for (let seq = Math.ceil(ctx.now().getTime() / intervalMs); ; seq++) {
      try {
        await models.RateSlot.create({ key: `${scope}:${seq}`, scope, seq, at: new Date(seq * intervalMs) });
        return seq * intervalMs;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  /** Deletes slots (flood windows, send turns) older than a day: they only matter for seconds. */
  async function prune(at: Date): Promise<number> {
    return (await models.RateSlot.deleteMany({ at: { $lt: new Date(at.getTime() - 24 * 3600_000) } })).deletedCount;
  }

  return { flood, chatSlot, prune };
}

export type Limits = ReturnType<typeof createLimits>;
