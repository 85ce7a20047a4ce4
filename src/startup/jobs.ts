import type { Agenda } from 'agenda';
import { createNotificationRenderer } from '../channels/conversation/notifications.js';
import { reviewLinks } from '../channels/conversation/review-notice.js';
import type { Registry } from '../channels/conversation/registry.js';
import type { Models } from '../db/models/index.js';
import type { I18n } from '../i18n.js';
import { defineAnnouncementJobs } from '../jobs/announcements.js';
import { defineMaintenanceJobs } from '../jobs/maintenance.js';
import { defineMemberJobs } from '../jobs/members.js';
import { defineMonthCloseJobs } from '../jobs/month-close.js';
import { defineNotificationJobs, startSendingHeartbeat } from '../jobs/notifications.js';
import { defineReviewJobs } from '../jobs/reviews.js';
import { defineRollupJobs } from '../jobs/rollups.js';
import { defineScheduledMessageJobs } from '../jobs/scheduled-messages.js';
import type { Logger } from '../logger.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import type { ChannelName, MessageSender } from '../services/ports.js';
import { createNotificationDelivery, type NotificationDelivery } from '../services/notification-delivery.js';
import type { Stop } from './stoppers.js';

export interface JobsStep {
  /** The notifier (Agenda's jobs call it; a sweep can also be run on demand). */
  delivery: NotificationDelivery;
  /** Starts processing jobs: the last step of start-up, once everything they call is up. */
  start(): Promise<void>;
  isRunning: () => boolean;
  /** Stops the sending heartbeat, then lets running jobs finish and releases the others. */
  stop: Stop;
}

/** Agenda's jobs (maintenance, scheduled messages, report rollups, notifications) and the notifier they drive. */
export async function createJobs(deps: {
  agenda: Agenda;
  models: Models;
  services: Services;
  program: Program;
  i18n: I18n;
  logger: Logger;
  timezone: string;
  senders: Map<ChannelName, MessageSender>;
  /** The commands of the running channels: a new staff member's message lists theirs. */
  registry: Registry | undefined;
  now: (() => Date) | undefined;
  notificationSweepMs: number;
}): Promise<JobsStep> {
  const { agenda, models, program, i18n, logger } = deps;
  await defineMaintenanceJobs(agenda, deps.services);
  await defineScheduledMessageJobs(agenda, deps.services, program, deps.timezone);
  await defineRollupJobs(agenda, deps.services, deps.timezone);
  await defineMemberJobs(agenda, deps.services);
  await defineReviewJobs(agenda, deps.services);
  await defineMonthCloseJobs(agenda, deps.services, deps.timezone);
  await defineAnnouncementJobs(agenda, deps.services, deps.notificationSweepMs);
  const delivery = createNotificationDelivery({
    models,
    logger,
    render: createNotificationRenderer(i18n, program, deps.registry),
    links: reviewLinks,
    senders: deps.senders,
    timezone: deps.timezone,
    now: deps.now,
  });
  await defineNotificationJobs(agenda, delivery, deps.notificationSweepMs);
  const stopHeartbeat = await startSendingHeartbeat(delivery, logger);

  let running = false;
  return {
    delivery,
    async start() {
      await agenda.start();
      running = true;
    },
    isRunning: () => running,
    async stop() {
      try {
        await stopHeartbeat();
      } finally {
        if (running) {
          running = false;
          // Finish the jobs in hand (up to 30 s), then release any locks for other processes.
          const drained = await agenda.drain({ timeout: 30_000, closeConnection: false });
          if (drained.timedOut) await agenda.stop(false);
        }
      }
    },
  };
}
