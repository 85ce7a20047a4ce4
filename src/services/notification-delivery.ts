import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import { offerNotificationTypes, type Notification } from '../db/models/notification.js';
import { dayKey } from '../domain/schedule.js';
import { retryDelayMs, telegramLimits, zaloLimits } from '../domain/send-pacing.js';
import type { Logger } from '../logger.js';
import { createClaims } from './claims.js';
import { createLimits } from './limits.js';
import type { ChannelName, MessageSender, NotificationLinks, NotificationRenderer, SendResult } from './ports.js';

export type DeliveryOutcome = 'sent' | 'retry' | 'undeliverable' | 'skipped' | 'withdrawn';

export interface DeliveryDeps {
  models: Models;
  logger: Logger;
  /** Turns a notification into the recipient's text (the channels' renderer). */
  render: NotificationRenderer;
  /** The link buttons of the notifications that have them. */
  links?: NotificationLinks;
  /** Senders of the channels running in this process, by channel name (each paces its own sends). */
  senders: Map<ChannelName, MessageSender>;
  /** The shop's time zone: the day a notification became undeliverable is stored in it. */
  timezone: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts before a failing notification is given up as undeliverable. */
  maxAttempts?: number;
  /** How long a claimed send may take before it counts as crashed. */
  leaseMs?: number;
  /** Test hook: called after the send returned and before the outcome is recorded. */
  afterSend?: (notificationId: string) => void;
  /** Names this process among those sharing the database (random when not given). */
  processId?: string;
}

/** How often a sending process says it is alive; one silent for three beats no longer counts. */
export const SENDING_HEARTBEAT_MS = 10_000;

/**
 * Delivers recorded notifications, exactly once as the person sees it:
 * - a worker claims an attempt with an insert under `deliver:<id>:<attempt>` (exclusive on
 *   every server), marks the notification `sending` with a lease, sends, then records;
 * - a failure to retry goes back to `pending` with exponential backoff (honouring the
 *   platform's retry-after) until maxAttempts, then `undeliverable`; a permanent failure
 *   (blocked bot, deleted chat) is `undeliverable` at once;
 * - a `sending` whose lease ran out means the worker died between claiming and recording:
 *   the message may have gone out, so it becomes `uncertain` and is never sent again.
 */
export function createNotificationDelivery(deps: DeliveryDeps) {
  const { models, logger, senders, render } = deps;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = deps.maxAttempts ?? 8;
  const leaseMs = deps.leaseMs ?? 2 * 60_000;
  const defaultLimits = { telegram: telegramLimits, zalo: zaloLimits };
  const chatIntervalMs = (channel: ChannelName) => (senders.get(channel)?.pacer?.limits ?? defaultLimits[channel]).perChatIntervalMs;
  // Per-chat spacing shared with every process on the database; the sender's own pacer adds
  // this process's share of the per-bot rate.
  const shared = createLimits({ models, logger, now });
  const processId = deps.processId ?? randomUUID();
  const claims = createClaims(models, now);

  /**
   * Says this process is sending and splits each platform's per-bot limit between all the
   * processes that said so lately, so that together they stay within it. Returns their number.
   */
  async function heartbeat(): Promise<number> {
    const cutoff = new Date(now().getTime() - 3 * SENDING_HEARTBEAT_MS);
    await models.SendingProcess.updateOne({ processId }, { $set: { seenAt: now() } }, { upsert: true });
    await models.SendingProcess.deleteMany({ seenAt: { $lt: cutoff } });
    const processes = await models.SendingProcess.countDocuments({});
    for (const sender of senders.values()) sender.pacer?.shareWith(processes);
    return processes;
  }

  /** Leaves the count on a clean stop, so the others take back the whole limit at their next beat. */
  async function retire(): Promise<void> {
    await models.SendingProcess.deleteOne({ processId });
  }

  async function claimAttempt(notification: Notification): Promise<boolean> {
    const key = `deliver:${String(notification._id)}:${notification.attempts}`;
    if (await claims.take(key)) return true;
    // The claimant marks `sending` before it sends; a claim that old with the notification
    // still pending belongs to a worker that died before sending, so move past it.
    const claim = await claims.holder(key);
    if (claim && now().getTime() - claim.at.getTime() > leaseMs) {
      await models.Notification.updateOne(
        { _id: notification._id, status: 'pending', attempts: notification.attempts },
        { $set: { attempts: notification.attempts + 1 } },
      );
    }
    return false;
  }

  async function recipientOf(
    customerId: Types.ObjectId,
    toIdentity?: string,
  ): Promise<{ customer: Customer; channel: ChannelName; chatId: string } | undefined> {
    const [customer, identities] = await Promise.all([
      models.Customer.findById(customerId).lean<Customer>(),
      models.ChannelIdentity.find({ customerId }).sort({ lastSeenAt: -1 }).lean(),
    ]);
    if (!customer) return undefined;
    const preferred =
      identities.find((i) => i.identity === toIdentity) ?? identities.find((i) => i.identity === customer.lastIdentity) ?? identities[0];
    return preferred ? { customer, channel: preferred.channel, chatId: preferred.chatId } : undefined;
  }

  /**
   * Records the outcome of a send, retrying a few times: after the person got the message,
   * a passing database error (a busy SQLite file under FerretDB, a replica-set election)
   * should not leave it `sending` and so `uncertain`.
   */
  async function finish(id: Types.ObjectId, attempts: number, result: SendResult): Promise<DeliveryOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await record(id, attempts, result);
      } catch (error) {
        if (attempt >= 5) throw error;
        logger.warn({ err: error, notificationId: String(id), attempt }, 'recording a delivery failed; retrying');
        await sleep(100 * attempt);
      }
    }
  }

  async function record(id: Types.ObjectId, attempts: number, result: SendResult): Promise<DeliveryOutcome> {
    if (result.ok) {
      await models.Notification.updateOne({ _id: id }, { $set: { status: 'sent', sentAt: now() }, $unset: { leaseUntil: 1 } });
      return 'sent';
    }
    if (result.kind === 'permanent' || attempts >= maxAttempts) {
      // Stamped here rather than by Mongoose, so that the day key is that of `updatedAt` exactly.
      const stamp = new Date();
      await models.Notification.updateOne(
        { _id: id },
        {
          $set: { status: 'undeliverable', lastError: result.reason, updatedAt: stamp, undeliverableDay: dayKey(stamp, deps.timezone) },
          $unset: { leaseUntil: 1 },
        },
        { timestamps: false },
      );
      return 'undeliverable';
    }
    await models.Notification.updateOne(
      { _id: id },
      {
        $set: {
          status: 'pending',
          lastError: result.reason,
          nextAttemptAt: new Date(now().getTime() + retryDelayMs(attempts, result.retryAfterMs)),
        },
        $unset: { leaseUntil: 1 },
      },
    );
    return 'retry';
  }

  // An announcement's text is kept once, on the announcement, not in each of its messages.
  const announcementTexts = new Map<string, Promise<{ vi: string; en: string } | undefined>>();
  const announcementText = (id: string) => {
    let text = announcementTexts.get(id);
    if (text === undefined) {
      if (announcementTexts.size >= 20) announcementTexts.clear();
      text = models.Announcement.findById(id, { text: 1 })
        .lean<{ text?: { vi: string; en: string } }>()
        .then((found) => found?.text);
      // A failed read is not kept: the next attempt reads again.
      text.catch(() => announcementTexts.delete(id));
      announcementTexts.set(id, text);
    }
    return text;
  };

  /**
   * The facts read when the message goes out: a join digest says how many joined by then (see
   * referrals' noticeJoin); an announcement gets its text.
   */
  async function withFactsAtSendTime(notification: Notification): Promise<Notification> {
    const data = notification.data as Record<string, unknown>;
    if (notification.type === 'announcement') {
      const text = notification.announcementId && (await announcementText(String(notification.announcementId)));
      return { ...notification, data: { ...data, text } };
    }
    if (notification.type !== 'friends_joined_digest') return notification;
    const count = await models.Referral.countDocuments({ joinNoticeKey: notification.key });
    return { ...notification, data: { ...data, count } };
  }

  /** One delivery attempt of one notification, if it is due and nobody else holds it. */
  async function deliver(which: Types.ObjectId | string | Notification): Promise<DeliveryOutcome> {
    // The sweep hands over what it loaded; a stale copy is harmless, the attempt's claim decides.
    const notification = typeof which === 'object' && 'key' in which ? which : await models.Notification.findById(which).lean<Notification>();
    if (!notification || notification.status !== 'pending' || notification.nextAttemptAt > now()) return 'skipped';
    if (!(await claimAttempt(notification))) return 'skipped';
    const attempts = notification.attempts + 1;
    const markSending = () =>
      models.Notification.updateOne(
        { _id: notification._id },
        { $set: { status: 'sending', attempts, leaseUntil: new Date(now().getTime() + leaseMs) } },
      );

    const recipient = await recipientOf(notification.customerId, notification.toIdentity ?? undefined);
    const sender = recipient && senders.get(recipient.channel);
    if (!recipient || !sender) {
      // No channel here can reach them now (their channel may be off in this process).
      await markSending();
      return finish(notification._id, attempts, { ok: false, kind: 'retry', reason: 'no sender for the recipient' });
    }
    // Offers go only to people who want them when they go: a /stop since the recording withdraws it.
    if ((offerNotificationTypes as readonly string[]).includes(notification.type) && recipient.customer.marketingConsent !== true) {
      await models.Notification.updateOne({ _id: notification._id, status: 'pending' }, { $set: { status: 'withdrawn' } });
      return 'withdrawn';
    }
    const text = render(await withFactsAtSendTime(notification), recipient.customer);
    if (!text) {
      await markSending();
      return finish(notification._id, attempts, { ok: false, kind: 'permanent', reason: 'nothing to render' });
    }

    // Reserved before `sending` is marked: if the database fails here the notification is
    // still pending, and the claim of this attempt goes stale after the lease. The chat's
    // turn among all processes; the sender then waits for this process's share of the bot's rate.
    const chatTurn = await shared.chatSlot(recipient.channel, recipient.chatId, chatIntervalMs(recipient.channel));
    await markSending();
    const wait = chatTurn - now().getTime();
    if (wait > 0) await sleep(wait);
    let result: SendResult;
    try {
      result = await sender.send(recipient.chatId, { text, links: deps.links?.(notification) });
    } catch (error) {
      logger.warn({ err: error, notificationId: String(notification._id) }, 'send threw');
      result = { ok: false, kind: 'retry', reason: String(error) };
    }
    deps.afterSend?.(String(notification._id));
    return finish(notification._id, attempts, result);
  }

  /**
   * Marks crashed sends uncertain and delivers every due notification (oldest first, up
   * to `limit`, `concurrency` at a time). Returns how many were sent.
   */
  async function sweep(limit = 1000, concurrency = 60): Promise<number> {
    await models.Notification.updateMany(
      { status: 'sending', leaseUntil: { $lt: now() } },
      { $set: { status: 'uncertain', lastError: 'worker stopped between sending and recording' } },
    );
    const due = await models.Notification.find({ status: 'pending', nextAttemptAt: { $lte: now() } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .lean<Notification[]>();
    // Several sends in flight, each waiting for its own paced slot, so one busy chat does
    // not hold up the others; enough of them that the database's round trips per send
    // (claim, recipient, chat turn, marks) do not keep the bot below its rate.
    let sent = 0;
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const item = due[next++];
        if (!item) continue;
        try {
          if ((await deliver(item)) === 'sent') sent += 1;
        } catch (error) {
          // One notification's trouble must not stop the others; it is retried by a later sweep.
          logger.error({ err: error, notificationId: String(item._id) }, 'delivery failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    return sent;
  }

  return { deliver, sweep, heartbeat, retire };
}

export type NotificationDelivery = ReturnType<typeof createNotificationDelivery>;
