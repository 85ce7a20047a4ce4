import type { Agenda } from 'agenda';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgenda } from '../../../src/jobs/agenda.js';
import { DAILY_SUMMARY, defineScheduledMessageJobs } from '../../../src/jobs/scheduled-messages.js';
import { nextDailyRun } from '../../../src/domain/schedule.js';
import { useServices } from '../../support/services.js';

describe('scheduled messages', () => {
  const h = useServices('scheduled');
  let agenda: Agenda | undefined;
  afterAll(async () => {
    await agenda?.stop(false);
  });

  it('summarises a day with known counts, for every owner, once per owner and day', async () => {
    h.clock.current = new Date();
    const owner = await h.staff(7001, 'Chủ', 'owner');
    const staff = await h.staff(7002, 'Lễ tân');
    const { customer: a } = await h.join(7003, 'Anh');
    const friends = await Promise.all([7004, 7005, 7006].map((id, i) => h.join(id, `Bạn ${i}`)));
    for (const { customer } of friends) await h.services.referrals.attribute(customer._id, a.code, 'telegram');
    await h.services.referrals.recordLinkOpen(a.code, 'link', 'web:203.0.113.1:phone');
    await h.services.referrals.recordLinkOpen(a.code, 'link', 'web:203.0.113.2:phone');
    await h.services.referrals.flushLinkOpens();
    await h.services.visits.confirmFirstVisit(staff, friends[0]!.customer.code, 400_000);
    await h.services.visits.confirmFirstVisit(staff, friends[1]!.customer.code, 100_000);

    const result = await h.services.reports.getDailySummary(owner);
    if (!result.ok) throw new Error(result.reason);
    const { summary } = result;
    expect(summary.today).toMatchObject({
      newCustomers: 6,
      linksOpened: 2,
      friendsJoined: 3,
      firstVisits: 2,
      rewardsIssued: 4,
      rewardsRedeemed: 0,
      referredRevenue: 500_000,
      byChannel: {
        telegram: { linksOpened: 0, friendsJoined: 3, firstVisits: 2, revenue: 500_000 },
        zalo: { linksOpened: 0, friendsJoined: 0, firstVisits: 0, revenue: 0 },
        fb: { linksOpened: 0, friendsJoined: 0, firstVisits: 0, revenue: 0 },
        messenger: { linksOpened: 0, friendsJoined: 0, firstVisits: 0, revenue: 0 },
        link: { linksOpened: 2, friendsJoined: 0, firstVisits: 0, revenue: 0 },
        qr: { linksOpened: 0, friendsJoined: 0, firstVisits: 0, revenue: 0 },
      },
      topReferrers: [{ name: 'Anh', code: a.code, friends: 2 }],
    });
    expect(summary.today.conversionRate).toBeCloseTo(2 / 3);
    expect(summary.yesterday.newCustomers).toBe(0);
    expect(summary.weekAverage.newCustomers).toBe(0);

    // Agenda on FerretDB can hand one run to two pollers at once (its lock is a guarded
    // update, not atomic there): a run twice at the same moment records one summary.
    const both = await Promise.all([
      h.services.scheduled.recordDailySummaries(h.clock.now()),
      h.services.scheduled.recordDailySummaries(h.clock.now()),
    ]);
    expect(both).toEqual([1, 1]);
    const recorded = await h.db.models.Notification.find({ type: 'daily_summary' }).lean();
    expect(recorded).toHaveLength(1);
    expect(String(recorded[0]!.customerId)).toBe(String(owner.customerId));
  });

  it('schedules the daily summary at the configured local time as a UTC instant', async () => {
    agenda = createAgenda(h.db.connection, { processEveryMs: 60_000 });
    await defineScheduledMessageJobs(agenda, h.services, h.program, 'Asia/Ho_Chi_Minh');
    const job = await h.db.connection.collection('agendaJobs').findOne({ name: DAILY_SUMMARY });
    expect(job?.repeatTimezone).toBe('Asia/Ho_Chi_Minh');
    expect((job?.nextRunAt as Date).toISOString()).toBe(nextDailyRun(new Date(), '21:00', 'Asia/Ho_Chi_Minh').toISOString());
  });

  it('reminds a friend who has not come in, and a voucher before it expires, once each', async () => {
    h.clock.current = new Date('2026-07-01T03:00:00Z');
    const staff = await h.staff(7101, 'Lễ tân');
    const { customer: a } = await h.join(7102, 'Anh');
    const { customer: slow } = await h.join(7103, 'Chậm');
    const { customer: quick } = await h.join(7104, 'Nhanh');
    await h.services.referrals.attribute(slow._id, a.code, 'telegram');
    await h.services.referrals.attribute(quick._id, a.code, 'telegram');
    await h.services.visits.confirmFirstVisit(staff, quick.code);

    h.clock.advanceDays(h.program.reminders.friendVisitReminder.afterDays + 0.5);
    await Promise.all([h.services.scheduled.recordReminders(), h.services.scheduled.recordReminders()]);
    expect(await h.db.models.Notification.countDocuments({ type: 'visit_reminder', customerId: slow._id })).toBe(1);
    expect(await h.db.models.Notification.countDocuments({ type: 'visit_reminder', customerId: quick._id })).toBe(0);

    h.clock.advanceDays(h.program.vouchers.validityDays - h.program.reminders.voucherExpiryReminder.daysBefore);
    await Promise.all([h.services.scheduled.recordReminders(), h.services.scheduled.recordReminders()]);
    expect(await h.db.models.Notification.countDocuments({ type: 'voucher_expiry_reminder', customerId: { $in: [a._id, quick._id] } })).toBe(2);
  });
});
