import type { Types } from 'mongoose';
import type { Models } from '../db/models/index.js';
import type { NotificationType } from '../db/models/notification.js';
import { dayKey } from '../domain/schedule.js';
import { isDuplicateKey } from './duplicate-key.js';
import { pruneInBatches } from './prune-days.js';
import type { Sealed } from './rollups.js';

/** The delivery states that never change again. */
const finishedStatuses = ['sent', 'undeliverable', 'uncertain'] as const;

/**
 * Where use cases record the messages people are owed; the notifier delivers them. Inserts
 * only: the delivery marks what became of each one.
 */
export function createOutbox(
  models: Pick<Models, 'Notification'>,
  now: () => Date,
  timezone: string,
  /** Lets the notifier deliver at once instead of waiting for its sweep. */
  onRecorded?: (ids: string[]) => void,
) {
  /**
   * Records a message someone is owed, once per `key` (the cause), due now or at `sendAt`.
   * Safe to repeat: a retried use case finds the earlier record. `toIdentity` sends it to
   * that chat app of the customer instead of the one they used last.
   */
  async function record(
    key: string,
    type: NotificationType,
    customerId: Types.ObjectId,
    data: Record<string, unknown>,
    options: { toIdentity?: string; sendAt?: Date } = {},
  ): Promise<void> {
    const { sendAt, ...addressing } = options;
    // Stamped by hand: Mongoose would move `updatedAt` on every repeat, and with it the day a
    // notification that became undeliverable counts on in the reports.
    const stamp = new Date();
    const result = await models.Notification.updateOne(
      { key },
      {
        $setOnInsert: {
          key,
          type,
          customerId,
          data,
          ...addressing,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: sendAt ?? now(),
          createdAt: stamp,
          createdDay: dayKey(stamp, timezone),
          updatedAt: stamp,
        },
      },
      { upsert: true, timestamps: false },
    ).catch((error: unknown) => {
      // Two concurrent upserts of one key: the other one recorded it.
      if (isDuplicateKey(error)) return undefined;
      throw error;
    });
    const id = result?.upsertedId;
    if (id) onRecorded?.([String(id)]);
  }

  /**
   * The retention of notifications: those whose delivery ended (sent, undeliverable, or
   * uncertain, which is never sent again) and last changed before `before` go, once `seal`
   * (the rollups) has kept their days' counts. Pending and sending ones always stay.
   */
  async function pruneFinished(before: Date, seal: (oldest: Date) => Promise<Sealed | undefined>): Promise<number> {
    const oldest = await models.Notification.findOne({ updatedAt: { $lt: before } }, { createdAt: 1 })
      .sort({ createdAt: 1 })
      .lean();
    const sealed = oldest?.createdAt && (await seal(oldest.createdAt));
    if (!sealed) return 0;
    const { days, until } = sealed;
    let removed = 0;
    for (const status of finishedStatuses) {
      removed += await pruneInBatches({
        days,
        removeDay: (createdDay) => models.Notification.deleteMany({ createdDay, status, updatedAt: { $lt: until } }),
        olderIds: (limit) =>
          models.Notification.find({ status, updatedAt: { $lt: until } }, { _id: 1 })
            .limit(limit)
            .lean(),
        removeId: (_id) => models.Notification.deleteMany({ _id, status }),
      });
    }
    return removed;
  }

  return { record, pruneFinished };
}

export type Outbox = ReturnType<typeof createOutbox>;
