import type { Agenda } from 'agenda';
import { dailyCron } from '../domain/schedule.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';

export const DAILY_SUMMARY = 'daily-summary';
export const REMINDERS = 'reminders-and-expiry';

/**
 * The owners' daily summary at the configured local time (Agenda computes each run in the
 * business time zone, so daylight-saving zones keep the wall-clock time), scheduled again
 * when a new rules version changes it, and an hourly pass that records due reminders and
 * expires vouchers (and, when the rules say so, idle points).
 */
export async function defineScheduledMessageJobs(agenda: Agenda, services: Services, program: Program, timezone: string): Promise<void> {
  agenda.define(DAILY_SUMMARY, async () => {
    await services.scheduled.recordDailySummaries();
  });
  agenda.define(REMINDERS, async () => {
    await services.vouchers.expireDue();
    await services.scheduled.recordReminders();
    await services.wallet.expirePoints();
  });
  let scheduled = '';
  const schedule = async () => {
    const { enabled, localTime } = program.reminders.dailySummary;
    const wanted = enabled ? localTime : 'off';
    if (wanted === scheduled) return;
    scheduled = wanted;
    if (enabled) await agenda.every(dailyCron(localTime), DAILY_SUMMARY, undefined, { timezone, skipImmediate: true });
    else await agenda.cancel({ name: DAILY_SUMMARY });
  };
  await schedule();
  services.programRules.onChange(schedule);
  await agenda.every(60 * 60_000, REMINDERS);
}
