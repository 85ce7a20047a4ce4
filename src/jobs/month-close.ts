import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const MONTH_CLOSE = 'month-close';
export const CATCH_UP_MONTH_CLOSE = 'catch-up-month-close';

/**
 * The monthly close: at 00:30 on the 1st in the shop's time zone it closes the month before
 * (partners' statements, the owners' reconciliation), and once at each start it closes any
 * month left open while the app was down. The service claims each month, so overlapping runs
 * and two processes close it once.
 */
export async function defineMonthCloseJobs(agenda: Agenda, services: Services, timezone: string): Promise<void> {
  const closeDue = async () => {
    await services.commissions.closeDue();
  };
  agenda.define(MONTH_CLOSE, closeDue, { concurrency: 1 });
  agenda.define(CATCH_UP_MONTH_CLOSE, closeDue, { concurrency: 1, removeOnComplete: true });
  await agenda.every('30 0 1 * *', MONTH_CLOSE, undefined, { timezone, skipImmediate: true });
  await agenda.now(CATCH_UP_MONTH_CLOSE);
}
