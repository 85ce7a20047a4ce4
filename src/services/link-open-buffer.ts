import type { Models } from '../db/models/index.js';
import type { Logger } from '../logger.js';

/** A link open as stored: `key` is `<code>:<business day>:<visitor hash>` (see referrals.recordLinkOpen). */
export interface LinkOpenRecord {
  key: string;
  code: string;
  referrerId: unknown;
  via: string;
  at: Date;
  /** The business day of `at` (see domain/schedule.ts dayKey). */
  atDay: string;
}

export interface LinkOpenBufferOptions {
  /** Written at least this often while opens wait. */
  flushEveryMs?: number;
  /** Written at once when this many wait. */
  maxEntries?: number;
}

/**
 * Link opens held in memory and written in one bulk write of upserts keyed by visitor, code
 * and day: a visitor counted in two batches, or by two processes, is still one document
 * (the unique key; `$setOnInsert` keeps the first). So a landing page view never waits for
 * a database write. A failed write keeps its opens for the next flush; `stop` writes what
 * is left, so a clean stop loses no click.
 */
export function createLinkOpenBuffer(ctx: { models: Pick<Models, 'LinkOpen'>; logger: Logger }, options: LinkOpenBufferOptions = {}) {
  const flushEveryMs = options.flushEveryMs ?? 2000;
  const maxEntries = options.maxEntries ?? 500;
  let pending = new Map<string, LinkOpenRecord>();
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function write(batch: Map<string, LinkOpenRecord>): Promise<void> {
    try {
      await ctx.models.LinkOpen.bulkWrite(
        [...batch.values()].map((open) => ({ updateOne: { filter: { key: open.key }, update: { $setOnInsert: open }, upsert: true } })),
        { ordered: false },
      );
    } catch (error) {
      // Two processes upserting one key at once: one wins, the other's duplicate is the same click.
      const codes = ((error as { writeErrors?: Array<{ code?: number }> }).writeErrors ?? []).map((e) => e.code);
      if (codes.length > 0 && codes.every((code) => code === 11000)) return;
      ctx.logger.warn({ err: error, opens: batch.size }, 'writing link opens failed; kept for the next flush');
      for (const [key, open] of batch) if (!pending.has(key)) pending.set(key, open);
    }
  }

  /** Writes what waits (after any write in progress, so batches never overlap). */
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(() => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      return write(batch);
    });
    return writing;
  }

  function add(open: LinkOpenRecord): void {
    if (pending.has(open.key)) return;
    pending.set(open.key, open);
    if (pending.size >= maxEntries) void flush();
    else timer ??= setTimeout(() => void flush(), flushEveryMs).unref();
  }

  return { add, flush, stop: flush };
}

export type LinkOpenBuffer = ReturnType<typeof createLinkOpenBuffer>;
