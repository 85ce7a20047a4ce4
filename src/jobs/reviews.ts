import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const REVIEW_ASKS = 'review-asks';

/**
 * Every ten minutes, the review asks that came due (`askAfterHours` after a visit); the service
 * records each ask once, so a second run or process asks no one twice.
 */
export async function defineReviewJobs(agenda: Agenda, services: Services): Promise<void> {
  agenda.define(REVIEW_ASKS, async () => {
    await services.reviews.askAfterVisits();
  });
  await agenda.every(10 * 60_000, REVIEW_ASKS);
}
