import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import type { Agenda } from 'agenda';
import { generateHistory } from '../../../scripts/report-history.js';
import { createAgenda } from '../../../src/jobs/agenda.js';
import { defineRollupJobs } from '../../../src/jobs/rollups.js';
import { dayKey } from '../../../src/domain/schedule.js';
import { keyedSinceSetting } from '../../../src/services/day-keys.js';
import { summaryFigures, type PeriodStats, type ReportFigures } from '../../../src/services/reports.js';
import { reportParts as reportPartsOf } from '../../support/report-figures.js';
import { useServices } from '../../support/services.js';

const zone = 'Asia/Ho_Chi_Minh';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const dayStart = (at: Date, minusDays = 0) => DateTime.fromJSDate(at, { zone }).startOf('day').minus({ days: minusDays }).toJSDate();

describe('report rollups equal the figures counted from the records', () => {
  const h = useServices('rollups');
  let agenda: Agenda | undefined;
  afterAll(async () => {
    await agenda?.stop(false);
  });

  /** The report figures over the harness's clock, as the services build them, plus the outbox piece. */
  const reportParts = () => reportPartsOf(h, zone);

  /** Every range a report asks for, plus ranges with ragged ends, give the same figures both ways. */
  async function expectEqual(figures: ReportFigures): Promise<PeriodStats> {
    const now = h.clock.now();
    const ranges: Array<[Date, Date]> = [
      [dayStart(now), now],
      [dayStart(now, 6), now],
      [dayStart(now, 29), now],
      [dayStart(now, 1), dayStart(now)],
      [new Date(dayStart(now, 20).getTime() + 3600_000 * 5.5), new Date(dayStart(now, 3).getTime() + 3600_000 * 17.25)],
      [dayStart(now, 45), now],
    ];
    for (const [from, to] of ranges) {
      expect(await figures.getStats(from, to), `${from.toISOString()}..${to.toISOString()}`).toEqual(await figures.getStatsDirect(from, to));
    }
    const summary = await figures.getDailySummary(now);
    const yesterday = await figures.getStatsDirect(dayStart(now, 1), dayStart(now));
    const week = await figures.getStatsDirect(dayStart(now, 7), dayStart(now));
    expect(summary.today).toEqual(
      await figures.getStatsDirect(dayStart(now), DateTime.fromJSDate(dayStart(now), { zone }).plus({ days: 1 }).toJSDate()),
    );
    for (const f of summaryFigures) {
      expect(summary.yesterday[f], f).toBe(yesterday[f]);
      expect(summary.weekAverage[f], f).toBe(Math.round((week[f] / 7) * 10) / 10);
    }
    return figures.getStatsDirect(dayStart(now, 29), now);
  }

  it('counts an event at 23:59 on its own day and one at 00:01 on the next, in the shop time zone', async () => {
    h.clock.current = new Date();
    const { figures, pieces } = reportParts();
    const late = local('2026-03-10T23:59:00');
    const early = local('2026-03-11T00:01:00');
    await h.db.models.Customer.collection.insertMany([
      { code: 'EDGEAA', locale: 'vi', createdAt: late },
      { code: 'EDGEBB', locale: 'vi', createdAt: early },
    ]);
    await h.db.models.Visit.collection.insertMany([
      {
        key: 'edge:1',
        customerId: new Types.ObjectId(),
        staffId: new Types.ObjectId(),
        first: true,
        amount: 100_000,
        points: 100,
        referred: true,
        at: late,
      },
      {
        key: 'edge:2',
        customerId: new Types.ObjectId(),
        staffId: new Types.ObjectId(),
        first: true,
        amount: 70_000,
        points: 100,
        referred: true,
        at: early,
      },
    ]);
    // Written without day keys, as before they existed: those days come before the first keyed day, so they are counted by range.
    expect(await pieces.dayKeys.keyed('2026-03-11')).toBe(false);
    const tenth = await figures.getStats(local('2026-03-10T00:00:00'), local('2026-03-11T00:00:00'));
    const eleventh = await figures.getStats(local('2026-03-11T00:00:00'), local('2026-03-12T00:00:00'));
    expect([tenth.newCustomers, tenth.firstVisits, tenth.referredRevenue]).toEqual([1, 1, 100_000]);
    expect([eleventh.newCustomers, eleventh.firstVisits, eleventh.referredRevenue]).toEqual([1, 1, 70_000]);
    const rolled = await h.db.models.DayRollup.find({ date: { $in: ['2026-03-10', '2026-03-11'] } })
      .sort({ date: 1 })
      .lean();
    expect(rolled.map((r) => [r.date, (r.figures as { newCustomers: number }).newCustomers])).toEqual([
      ['2026-03-10', 1],
      ['2026-03-11', 1],
    ]);
    // A range from 23:58 to 00:02 is two ragged ends and no whole day.
    const across = await figures.getStats(local('2026-03-10T23:58:00'), local('2026-03-11T00:02:00'));
    expect([across.newCustomers, across.referredRevenue]).toEqual([2, 170_000]);
    await h.db.models.Customer.deleteMany({ code: { $in: ['EDGEAA', 'EDGEBB'] } });
    await h.db.models.Visit.deleteMany({ key: { $in: ['edge:1', 'edge:2'] } });
  });

  it('counts a day by its keys from the first day the app wrote them, and an earlier day by range', async () => {
    h.clock.current = new Date();
    const today = dayKey(h.clock.now(), zone);
    // A fresh shop: the first keyed day is tomorrow (records stamped earlier today have no keys).
    await h.db.models.Setting.deleteOne({ key: keyedSinceSetting(zone) });
    const fresh = reportParts().pieces.dayKeys;
    expect(await fresh.keyedSince()).toBe(dayKey(dayStart(h.clock.now(), -1), zone));
    expect(await fresh.keyed(today)).toBe(false);
    // What the services write carries its day key.
    const { customer } = await h.join(5101, 'Khoá');
    expect((await h.db.models.Customer.findById(customer._id, { createdDay: 1 }).lean())?.createdDay).toBe(today);
    // Once today is keyed, today is read by key: a record keyed today but stamped yesterday counts today.
    await h.db.models.Setting.updateOne({ key: keyedSinceSetting(zone) }, { $set: { value: today } });
    const { figures } = reportParts();
    const today$ = () => [dayStart(h.clock.now()), h.clock.now()] as const;
    const [byKey, byRange] = [(await figures.getStats(...today$())).newCustomers, (await figures.getStatsDirect(...today$())).newCustomers];
    await h.db.models.Customer.collection.insertOne({ code: 'KEYDAY', locale: 'vi', createdAt: dayStart(h.clock.now(), 1), createdDay: today });
    expect((await figures.getStats(...today$())).newCustomers).toBe(byKey + 1);
    // Range counting does not see it (stamped yesterday): the key path is the one in use.
    expect((await figures.getStatsDirect(...today$())).newCustomers).toBe(byRange);
    // Leave no record stamped after the fixed clock's now for the tests after this one.
    await h.db.models.Customer.deleteMany({ _id: customer._id });
    await h.db.models.Customer.deleteMany({ code: 'KEYDAY' });
    await h.db.models.ChannelIdentity.deleteMany({ customerId: customer._id });
    await h.db.models.Notification.deleteMany({ customerId: customer._id });
  });

  it('equal on a generated history, before and after corrections to closed days', async () => {
    // A minute ahead, so that what the services stamp with the real time counts today.
    h.clock.current = new Date(Date.now() + 60_000);
    const now = h.clock.now();
    const {
      figures,
      pieces: { outbox },
    } = reportParts();
    const { referrerIds } = await generateHistory(h.db.models, { customers: 500, events: 2500, days: 40, now, seed: 7 });
    const owner = await h.staff(9001, 'Chủ', 'owner');
    const staff = await h.staff(9002, 'Lễ tân');
    // A first visit recorded 5 days ago whose confirmation stopped before settling the referral.
    const lateFriend = new Types.ObjectId();
    const visitDay = new Date(dayStart(now, 5).getTime() + 3600_000 * 15);
    await h.db.models.Customer.collection.insertOne({
      _id: lateFriend,
      code: 'MUQNAB',
      name: 'Muộn',
      locale: 'vi',
      role: 'customer',
      referrerId: referrerIds[0],
      createdAt: dayStart(now, 6),
      createdDay: dayKey(dayStart(now, 6), zone),
    });
    await h.db.models.Referral.collection.insertOne({
      friendId: lateFriend,
      referrerId: referrerIds[0],
      code: 'H',
      via: 'zalo',
      status: 'joined',
      joinedAt: dayStart(now, 6),
      joinedDay: dayKey(dayStart(now, 6), zone),
    });
    await h.db.models.Visit.collection.insertOne({
      key: `first:${String(lateFriend)}`,
      customerId: lateFriend,
      staffId: staff.customerId,
      first: true,
      amount: 450_000,
      points: 100,
      referred: false,
      at: visitDay,
      atDay: dayKey(visitDay, zone),
    });
    // The vouchers of a conversion 12 days ago, and a voucher issued 9 days ago, still unused.
    const referral = await h.db.models.Referral.findOne({
      status: 'converted',
      convertedAt: { $gte: dayStart(now, 13), $lt: dayStart(now, 11) },
    }).lean();
    if (!referral) throw new Error('the history has a conversion 12 days ago');
    await h.db.models.Voucher.collection.insertMany(
      (['friend', 'referrer'] as const).map((side, i) => ({
        code: `FRAUD${i}AB`,
        causeKey: `referral:${String(referral._id)}:${side}`,
        customerId: side === 'friend' ? referral.friendId : referral.referrerId,
        cause: `referral_${side}`,
        reward: { kind: 'percent_off', value: 10, label: { vi: 'Giảm', en: 'Off' } },
        status: 'active',
        issuedAt: referral.convertedAt,
        issuedDay: referral.convertedDay,
        expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      })),
    );
    await h.db.models.Voucher.collection.insertOne({
      code: 'QATEREDM',
      causeKey: 'test:late',
      customerId: referrerIds[1],
      cause: 'milestone',
      reward: { kind: 'percent_off', value: 10, label: { vi: 'Giảm', en: 'Off' } },
      status: 'active',
      issuedAt: dayStart(now, 9),
      issuedDay: dayKey(dayStart(now, 9), zone),
      expiresAt: new Date(now.getTime() + 86_400_000),
    });
    const { customer: member } = await h.join(9003, 'Thành viên');
    const before = await expectEqual(figures);
    expect(await h.db.models.DayRollup.countDocuments()).toBeGreaterThanOrEqual(44);
    expect(await h.db.models.StaleDay.countDocuments()).toBe(0);

    // The corrections, each to a day whose rollup is built:
    // 1. a referral converted 12 days ago is confirmed as fraud (its vouchers are cancelled);
    const flag = await h.db.models.FraudFlag.create({
      key: 'test:fraud',
      rule: 'same_phone_as_referrer',
      customerId: referral.friendId,
      details: { referralId: String(referral._id) },
    });
    expect(await h.services.fraud.resolve(owner, String(flag._id), 'confirmed')).toMatchObject({ ok: true, reversal: { vouchersCancelled: 2 } });

    // 2. the first visit of 5 days ago (above) is confirmed again now, which settles its referral;
    expect(await h.services.visits.confirmFirstVisit(staff, 'MUQNAB', 450_000)).toMatchObject({ ok: true, alreadyConfirmed: true, referral: {} });
    expect((await h.db.models.Referral.findOne({ friendId: lateFriend }).lean())?.convertedAt).toEqual(visitDay);

    // 3. an account created 20 days ago is discarded (its chat moved to another account);
    const discarded = await h.db.models.Customer.findOne({ createdAt: { $gte: dayStart(now, 20), $lt: dayStart(now, 19) } }, { _id: 1 }).lean();
    await h.services.customers.discard(discarded!._id);

    // 4. a voucher issued 9 days ago is redeemed today;
    expect(await h.services.vouchers.redeem(staff, 'QATEREDM')).toMatchObject({ ok: true });

    // 5. a message that became undeliverable 15 days ago is recorded again by a retried use case (it stays on its day).
    const failed = await h.db.models.Notification.findOne({
      status: 'undeliverable',
      updatedAt: { $gte: dayStart(now, 25), $lt: dayStart(now, 5) },
    }).lean();
    await outbox.record(failed!.key, 'tier_upgraded', failed!.customerId, {});
    expect((await h.db.models.Notification.findById(failed!._id).lean())?.updatedAt).toEqual(failed!.updatedAt);

    // 6. a paid membership is sold today (to a customer who joined before the first count).
    expect(await h.services.memberships.enrol(staff, member.code, 6, 'rollup:member')).toMatchObject({ ok: true });

    // The fraud reversal, the late conversion and the discarded account each marked their day.
    expect(await h.db.models.StaleDay.countDocuments()).toBe(3);
    // A second later, so that what was stamped at the clock's instant is inside the reports' ranges.
    h.clock.current = new Date(now.getTime() + 1000);
    const after = await expectEqual(figures);
    expect(await h.db.models.StaleDay.countDocuments()).toBe(0);
    expect(after.newCustomers).toBe(before.newCustomers - 1);
    expect(after.referredRevenue).toBe(before.referredRevenue + 450_000);
    expect(after.rewardsRedeemed).toBe(before.rewardsRedeemed + 1);
    expect(before.memberships).toBeGreaterThan(0);
    expect([after.memberships, after.membershipRevenue]).toEqual([before.memberships + 1, before.membershipRevenue + 1_200_000]);
    expect(after.activeMembers).toBe(before.activeMembers + 1);

    // The owner's /stats and /summary, through their role checks, read the same figures.
    for (const period of ['today', '7d', '30d'] as const) {
      const shown = await h.services.reports.getPeriodStats(owner, period);
      if (!shown.ok) throw new Error(shown.reason);
      expect(shown.stats).toEqual(await figures.getStatsDirect(shown.stats.from, shown.stats.to));
    }
    expect(await h.services.reports.getPeriodStats(staff, '30d')).toEqual({ ok: false, reason: 'not_allowed' });
  }, 180_000);

  it('builds missing and stale days at start-up through the job, once each, also when two run at once', async () => {
    await h.db.models.DayRollup.deleteMany({ start: { $gte: dayStart(h.clock.now(), 10) } });
    const { figures } = reportParts();
    agenda = createAgenda(h.db.connection, { processEveryMs: 200 });
    await defineRollupJobs(agenda, h.services, zone);
    await agenda.start();
    await expect.poll(() => h.db.models.DayRollup.countDocuments({ start: { $gte: dayStart(h.clock.now(), 10) } }), { timeout: 90_000 }).toBe(10);
    await agenda.stop(false);
    agenda = undefined;
    expect(await Promise.all([h.services.rollups.catchUp(), h.services.rollups.catchUp()])).toEqual([0, 0]);

    // An old day (outside the 35 days kept) marked stale is rebuilt by the nightly run.
    const old = await h.db.models.Visit.findOne({ at: { $lt: dayStart(h.clock.now(), 38) } }).lean();
    await h.db.models.Visit.updateOne({ _id: old!._id }, { $set: { referred: true, amount: 1 } });
    await reportParts().pieces.staleDays.touch(old!.at);
    expect(await h.services.rollups.catchUp()).toBe(1);
    const day = dayStart(old!.at);
    const end = DateTime.fromJSDate(day, { zone }).plus({ days: 1 }).toJSDate();
    expect(await figures.getStats(day, end)).toEqual(await figures.getStatsDirect(day, end));
    expect(await h.db.models.DayRollup.countDocuments({ start: day })).toBe(1);
  }, 180_000);
});
