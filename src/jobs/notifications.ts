import type { Agenda } from 'agenda';
import type { NotificationDelivery } from '../services/notification-delivery.js';

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
