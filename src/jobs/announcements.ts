import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const RECORD_ANNOUNCEMENTS = 'record-announcements';

/**
 * Records the messages of sent announcements, in batches, every few seconds: one job for every
 * process (Agenda runs it in one at a time), and a restart carries on where the last run stopped.
 */
export async function defineAnnouncementJobs(agenda: Agenda, services: Pick<Services, 'announcements'>, everyMs: number): Promise<void> {
  agenda.define(
    RECORD_ANNOUNCEMENTS,
    async () => {
      await services.announcements.recordPending();
    },
    { concurrency: 1 },
  );
  await agenda.every(everyMs, RECORD_ANNOUNCEMENTS);
}
