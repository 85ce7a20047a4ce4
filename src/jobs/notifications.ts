import type { Agenda } from 'agenda';
import type { Logger } from '../logger.js';
import { SENDING_HEARTBEAT_MS, type NotificationDelivery } from '../services/notification-delivery.js';

export const DELIVER_NOTIFICATION = 'deliver-notification';
export const SWEEP_NOTIFICATIONS = 'sweep-notifications';

/**
 * One job per recorded notification, scheduled at once, plus a sweep every few seconds
 * for retries that came due and for notifications whose job was lost (a crash between
 * recording and scheduling). Both only call the delivery service, which is idempotent.
 */
export async function defineNotificationJobs(agenda: Agenda, delivery: NotificationDelivery, sweepEveryMs: number): Promise<void> {
  agenda.define<{ notificationId: string }>(
    DELIVER_NOTIFICATION,
    async (job) => {
      await delivery.deliver(job.attrs.data.notificationId);
    },
    { concurrency: 30, removeOnComplete: true },
  );
  agenda.define(
    SWEEP_NOTIFICATIONS,
    async () => {
      await delivery.sweep();
    },
    { concurrency: 1 },
  );
  await agenda.every(sweepEveryMs, SWEEP_NOTIFICATIONS);
}

/**
 * What the services call once a notification is recorded: a delivery job at once. Agenda
 * takes jobs before it processes them, so this works from the start; if scheduling fails
 * the sweep delivers anyway, only the immediacy is lost.
 */
export function deliveryScheduler(agenda: Agenda, logger: Logger): (notificationIds: string[]) => void {
  return (notificationIds) => {
    for (const notificationId of notificationIds) {
      agenda.now(DELIVER_NOTIFICATION, { notificationId }).catch((error: unknown) => {
        logger.warn({ err: error, notificationId }, 'could not schedule a delivery');
      });
    }
  };
}

/**
 * Keeps this process on the list of live senders (the notifier shares work among them)
 * until the returned stop, which takes it off the list.
 */
export async function startSendingHeartbeat(delivery: NotificationDelivery, logger: Logger): Promise<() => Promise<void>> {
  await delivery.heartbeat();
  const timer = setInterval(() => {
    delivery.heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'sending heartbeat failed'));
  }, SENDING_HEARTBEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await delivery.retire();
  };
}
