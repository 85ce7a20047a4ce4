import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const BIRTHDAY_REWARDS = 'birthday-rewards';
export const MEMBERSHIP_REMINDERS = 'membership-reminders';

/**
 * Hourly passes that record the birthday vouchers and the membership reminders due; the
 * services decide what is due (the birthday's local hour included) and record each once.
 */
export async function defineMemberJobs(agenda: Agenda, services: Services): Promise<void> {
  agenda.define(BIRTHDAY_REWARDS, async () => {
    await services.birthdays.recordRewards();
  });
  agenda.define(MEMBERSHIP_REMINDERS, async () => {
    await services.memberships.recordReminders();
  });
  await agenda.every(60 * 60_000, BIRTHDAY_REWARDS);
  await agenda.every(60 * 60_000, MEMBERSHIP_REMINDERS);
}
