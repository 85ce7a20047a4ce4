import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const BUILD_ROLLUPS = 'build-report-rollups';
export const CATCH_UP_ROLLUPS = 'catch-up-report-rollups';
export const FILL_DAY_KEYS = 'fill-day-keys';

/**
 * The report rollups: built nightly once the business day has closed (00:20 in the shop's
 * time zone, after the rollups' grace period), and caught up once at each start-up for the
 * days missed while the app was down and any day a correction marked stale. Both only call
 * the rollup service, which builds each day under a claim, so overlapping runs are safe.
 * The day keys of records older than them are filled once at start-up (a run that finds
 * them done does nothing; one stopped halfway resumes); the reports use ranges until then.
 */
export async function defineRollupJobs(agenda: Agenda, services: Services, timezone: string): Promise<void> {
  const catchUp = async () => {
    await services.rollups.catchUp();
  };
  agenda.define(BUILD_ROLLUPS, catchUp, { concurrency: 1 });
  agenda.define(CATCH_UP_ROLLUPS, catchUp, { concurrency: 1, removeOnComplete: true });
  agenda.define(
    FILL_DAY_KEYS,
    async () => {
      await services.dayKeys.backfill();
    },
    { concurrency: 1, removeOnComplete: true },
  );
  await agenda.every('20 0 * * *', BUILD_ROLLUPS, undefined, { timezone, skipImmediate: true });
  await agenda.now(FILL_DAY_KEYS);
  await agenda.now(CATCH_UP_ROLLUPS);
}
