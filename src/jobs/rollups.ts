import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const BUILD_ROLLUPS = 'build-report-rollups';
export const CATCH_UP_ROLLUPS = 'catch-up-report-rollups';

/**
 * The report rollups: built nightly once the business day has closed (00:20 in the shop's
 * time zone, after the rollups' grace period), and caught up once at each start-up for the
 * days missed while the app was down and any day a correction marked stale. Both only call
 * the rollup service, which builds each day under a claim, so overlapping runs are safe.
 */
export async function defineRollupJobs(agenda: Agenda, services: Services, timezone: string): Promise<void> {
  const catchUp = async () => {
    await services.rollups.catchUp();
  };
  agenda.define(BUILD_ROLLUPS, catchUp, { concurrency: 1 });
  agenda.define(CATCH_UP_ROLLUPS, catchUp, { concurrency: 1, removeOnComplete: true });
  await agenda.every('20 0 * * *', BUILD_ROLLUPS, undefined, { timezone, skipImmediate: true });
  await agenda.now(CATCH_UP_ROLLUPS);
}
