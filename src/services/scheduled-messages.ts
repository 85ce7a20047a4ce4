import type { Customer } from '../db/models/customer.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import type { ReportFigures } from './reports.js';

/**
 * The messages that time, not a person, causes: the owners' daily summary and reminders.
 * Each is recorded as a notification keyed by its cause and date, so two processes or a
 * rerun of the job record it once; the notifier delivers it like any other.
 */
export type ScheduledMessagesDeps = Pick<ServicePieces, 'program' | 'now' | 'outbox'> & { models: Pick<Models, 'Customer' | 'Referral' | 'Voucher'> };

export function createScheduledMessages(ctx: ScheduledMessagesDeps, figures: ReportFigures) {
  const { models, program, outbox } = ctx;
  const day = 24 * 3600 * 1000;

  /** Records today's summary for every owner; returns how many owners it is for. */
  async function recordDailySummaries(at: Date = ctx.now()): Promise<number> {
    const summary = await figures.getDailySummary(at);
    const owners = await models.Customer.find({ role: 'owner' }, { _id: 1 }).lean<Pick<Customer, '_id'>[]>();
    for (const owner of owners) {
      await outbox.record(`daily_summary:${String(owner._id)}:${summary.date}`, 'daily_summary', owner._id, { summary });
    }
    return owners.length;
  }

  /**
   * A friend who joined but has not come in after `afterDays` (while the referral still
   * counts) is reminded once; a voucher is reminded once, `daysBefore` its expiry.
   */
  async function recordReminders(): Promise<{ visitReminders: number; expiryReminders: number }> {
    const now = ctx.now();
    const { friendVisitReminder, voucherExpiryReminder } = program.reminders;
    let visitReminders = 0;
    let expiryReminders = 0;
    if (friendVisitReminder.enabled) {
      const due = await models.Referral.find(
        {
          status: 'joined',
          joinedAt: {
            $lte: new Date(now.getTime() - friendVisitReminder.afterDays * day),
            $gt: new Date(now.getTime() - program.attribution.windowDays * day),
          },
        },
        { friendId: 1, partnerPlanId: 1 },
      ).lean();
      for (const referral of due) {
        // A partner's friend is reminded of the partner plan's welcome offer.
        const data = referral.partnerPlanId ? { planId: referral.partnerPlanId } : {};
        await outbox.record(`visit_reminder:${String(referral.friendId)}`, 'visit_reminder', referral.friendId, data);
        visitReminders += 1;
      }
    }
    if (voucherExpiryReminder.enabled) {
      const expiring = await models.Voucher.find({
        status: 'active',
        expiresAt: { $gt: now, $lte: new Date(now.getTime() + voucherExpiryReminder.daysBefore * day) },
      }).lean<Voucher[]>();
      for (const voucher of expiring) {
        await outbox.record(`voucher_expiry_reminder:${String(voucher._id)}`, 'voucher_expiry_reminder', voucher.customerId, {
          voucherCode: voucher.code,
          reward: voucher.reward,
          expiresAt: voucher.expiresAt,
        });
        expiryReminders += 1;
      }
    }
    return { visitReminders, expiryReminders };
  }

  return { recordDailySummaries, recordReminders };
}
