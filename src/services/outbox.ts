import type { Types } from 'mongoose';
import type { Models } from '../db/models/index.js';
import { eventNotificationTypes, type NotificationType } from '../db/models/notification.js';
import { dayKey } from '../domain/schedule.js';
import { isDuplicateKey } from './duplicate-key.js';
import { pruneInBatches } from './prune-days.js';
import type { Sealed } from './rollups.js';

/** The delivery states that never change again. */
const finishedStatuses = ['sent', 'undeliverable', 'uncertain', 'withdrawn'] as const;

/** The facts in notifications that hold another person's name. */
const NAME_FIELDS = ['friendName', 'referrerName', 'staffName', 'accountName'] as const;

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
   * Records many messages of one cause at once (an announcement's batch): one insert command,
   * each under its own `key`, so a repeated batch (a restart mid-way) adds only what is
   * missing. They go out through the notifier's sweep rather than one job each, so a big
   * batch does not become as many scheduled jobs. Returns how many were new.
   */
  async function recordMany(
    items: ReadonlyArray<{
      key: string;
      type: NotificationType;
      customerId: Types.ObjectId;
      data: Record<string, unknown>;
      announcementId?: Types.ObjectId;
    }>,
  ): Promise<number> {
    if (items.length === 0) return 0;
    const stamp = new Date();
    const fields = { status: 'pending', attempts: 0, nextAttemptAt: now(), createdAt: stamp, createdDay: dayKey(stamp, timezone), updatedAt: stamp };
    const docs = items.map((item) => ({ ...item, ...fields }));
    try {
      const inserted = await models.Notification.insertMany(docs, { ordered: false, lean: true });
      return inserted.length;
    } catch (error) {
      // Unordered: everything but the keys recorded before went in.
      const failures = (error as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
      const duplicates = failures?.every((failure) => (failure.code ?? failure.err?.code) === 11000);
      if (!duplicates && !isDuplicateKey(error)) throw error;
      return (error as { insertedDocs?: unknown[] }).insertedDocs?.length ?? items.length - (failures?.length ?? 0);
    }
  }

  /**
   * Erasure. To the person: what is still to be sent is dropped and what was sent is deleted,
   * except the skeleton of the messages the reports count (event messages, undeliverable ones),
   * kept with no content. To others: their name and code are blanked out of the facts (the
   * message then says "a friend").
   */
  async function erase(customerId: Types.ObjectId, person: { name: string; code: string }): Promise<void> {
    const own = await models.Notification.find({ customerId }, { type: 1, status: 1 }).lean();
    for (const notification of own) {
      const counted = notification.status === 'undeliverable' || (eventNotificationTypes as readonly string[]).includes(notification.type);
      const pending = notification.status === 'pending' || notification.status === 'sending';
      if (counted && !pending) {
        await models.Notification.updateOne({ _id: notification._id }, { $set: { data: {} }, $unset: { toIdentity: 1, lastError: 1 } });
      } else {
        await models.Notification.deleteOne({ _id: notification._id });
      }
    }
    await models.Notification.updateMany({ 'data.friendId': String(customerId) }, { $set: { 'data.friendName': '' } });
    for (const field of NAME_FIELDS) {
      if (person.name) await models.Notification.updateMany({ [`data.${field}`]: person.name }, { $set: { [`data.${field}`]: '' } });
    }
    await models.Notification.updateMany({ 'data.staffCode': person.code }, { $set: { 'data.staffCode': '' } });
    // The daily summary lists the top referrers by name and code.
    const summaries = await models.Notification.find({ 'data.summary.today.topReferrers.code': person.code }, { data: 1 }).lean();
    for (const summary of summaries) {
      const data = summary.data as { summary: { today: { topReferrers: Array<{ name: string; code: string }> } } };
      for (const top of data.summary.today.topReferrers) if (top.code === person.code) Object.assign(top, { name: '', code: '' });
      await models.Notification.updateOne({ _id: summary._id }, { $set: { data } });
    }
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

  return { record, recordMany, erase, pruneFinished };
}

export type Outbox = ReturnType<typeof createOutbox>;
