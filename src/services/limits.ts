import type { Models } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import { isDuplicateKey } from './duplicate-key.js';

/** 'ok' within the person's share; 'first_over' for the one message answered "slow down"; 'over' for the rest. */
export type FloodVerdict = 'ok' | 'first_over' | 'over';

/** More slots than any flood limit has messages: a window's slots are numbered within its block of `seq`. */
const SLOTS_PER_WINDOW = 1000;
/** How many people's latest flood slot a process remembers; a forgotten one is read again. */
const REMEMBERED_PEOPLE = 10_000;

/**
 * Limits shared by every process on the database, built from claims (see the RateSlot
 * model). rate-limiter-flexible's RateLimiterMongo is not used: on FerretDB 1.x its TTL
 * index cannot be created (and with it neither its unique index), and its `$inc` upsert on
 * one document loses increments under concurrency (20 parallel consumes let 11 through).
 */
export function createLimits(ctx: { models: Pick<Models, 'RateSlot'>; logger: Logger; now: () => Date }) {
  const { models, logger } = ctx;
  let storeDown = false;
  /** The flood slot this process took last, per person (most recent last), bounded. */
  const lastTaken = new Map<string, { seq: number; at: Date }>();
  const remember = (scope: string, taken: { seq: number; at: Date }) => {
    lastTaken.delete(scope);
    lastTaken.set(scope, taken);
    if (lastTaken.size > REMEMBERED_PEOPLE) lastTaken.delete(lastTaken.keys().next().value ?? '');
  };

  /**
   * Counts one message of a person (`who`, e.g. "telegram:123") sent at `at` (the platform's
   * timestamp, so messages delivered late after an outage count when they were sent) against
   * `messages` per `seconds`. A window opens with the first message after the last one closed
   * and lasts `seconds`; its messages claim slots 1, 2, … in order, each an insert under
   * `flood:<who>:<window>:<slot>`, so the taken slots are always 1..n and exactly one message
   * gets slot `messages + 1`. The person's latest slot tells both the window and the next slot
   * (`seq` is window × SLOTS_PER_WINDOW + slot), so a message costs one read and one insert.
   * When the database cannot be reached the limit fails open: a message is not dropped for that.
   */
  async function flood(who: string, sentAt: Date, limit: { messages: number; seconds: number }): Promise<FloodVerdict> {
    // A send time in the future or over a day old is not believed (a unit mix-up, a clock off).
    const now = ctx.now().getTime();
    const at = Number.isFinite(sentAt.getTime()) && sentAt.getTime() <= now && sentAt.getTime() > now - 24 * 3600 * 1000 ? sentAt : new Date(now);
    const scope = `flood:${who}`;
    try {
      const read = () => models.RateSlot.findOne({ scope }, { seq: 1, at: 1 }).sort({ seq: -1 }).lean();
      // The slot this process took last for the person is only a guess of the latest one
      // (another process may have taken slots since): a wrong guess collides, and the read
      // tells the truth. A person writing again to the same process costs one insert.
      let latest = lastTaken.get(scope) ?? (await read());
      // Each collision means another message took the slot: read again and take the next one.
      for (;;) {
        const open = latest && at.getTime() < latest.at.getTime() + limit.seconds * 1000 ? latest : undefined;
        const window = Math.floor((latest?.seq ?? 0) / SLOTS_PER_WINDOW) + (open ? 0 : 1);
        const slot = open ? (open.seq % SLOTS_PER_WINDOW) + 1 : 1;
        if (slot > limit.messages + 1) return 'over';
        try {
          const taken = { seq: window * SLOTS_PER_WINDOW + slot, at: open?.at ?? at };
          await models.RateSlot.create({ key: `${scope}:${window}:${slot}`, scope, ...taken });
          remember(scope, taken);
          storeDown = false;
          return slot <= limit.messages ? 'ok' : 'first_over';
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        latest = await read();
      }
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

  /** Erasure: the flood and send-spacing slots that name the person's chats. */
  async function forget(chats: Array<{ identity: string; channel: string; chatId: string }>): Promise<void> {
    for (const chat of chats) {
      lastTaken.delete(`flood:${chat.identity}`);
      await models.RateSlot.deleteMany({ scope: `flood:${chat.identity}` });
      await models.RateSlot.deleteMany({ scope: `pace:${chat.channel}:${chat.chatId}` });
    }
  }

  return { flood, chatSlot, prune, forget };
}

export type Limits = ReturnType<typeof createLimits>;
