import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ReferralChannel } from '../../../src/db/models/customer.js';
import type { ChannelFigures } from '../../../src/services/figures.js';
import { reportParts } from '../../support/report-figures.js';
import { useServices } from '../../support/services.js';

const zone = 'Asia/Ho_Chi_Minh';
const none: ChannelFigures = { linksOpened: 0, friendsJoined: 0, firstVisits: 0, revenue: 0 };
const channels = (some: Partial<Record<ReferralChannel, Partial<ChannelFigures>>>) =>
  Object.fromEntries((['telegram', 'zalo', 'fb', 'messenger', 'link', 'qr'] as const).map((channel) => [channel, { ...none, ...some[channel] }]));

/**
 * Which network brought friends, through to first visits and revenue: each friend's opens,
 * join, first visit and spending counted under the channel they came through, the same from
 * the records and from the day's rollup, and an undone visit taken back.
 */
describe('the funnel by channel', () => {
  const h = useServices('channel-figures');
  const dayStart = () => DateTime.fromJSDate(h.clock.now(), { zone }).startOf('day').toJSDate();

  const reportFigures = () => reportParts(h, zone).figures;

  it('counts opens, joins, first visits and revenue under the network each friend came through', async () => {
    const owner = await h.staff(8001, 'Chủ', 'owner');
    const staff = await h.staff(8002, 'Lễ tân');
    const { customer: hoa } = await h.join(8003, 'Hoa');
    const friend = async (id: number, via: ReferralChannel) => {
      const { customer } = await h.join(id, `Bạn ${id}`);
      expect(await h.services.referrals.attribute(customer._id, hoa.code, via)).toMatchObject({ ok: true });
      return customer;
    };
    const [an, binh, cuc] = [await friend(8004, 'fb'), await friend(8005, 'fb'), await friend(8006, 'zalo')];
    // A friend who scanned the invite QR and has not come in yet.
    await friend(8007, 'qr');
    for (const [via, visitor] of [
      ['fb', 'web:1'],
      ['fb', 'web:2'],
      ['fb', 'web:3'],
      ['zalo', 'web:4'],
      ['messenger', 'web:5'],
    ] as const) {
      await h.services.referrals.recordLinkOpen(hoa.code, via, visitor);
    }
    await h.services.referrals.flushLinkOpens();

    expect(await h.services.visits.confirmFirstVisit(staff, an.code, 400_000)).toMatchObject({ ok: true });
    expect(await h.services.visits.confirmFirstVisit(staff, binh.code, 100_000)).toMatchObject({ ok: true });
    expect(await h.services.visits.confirmFirstVisit(staff, cuc.code, 250_000)).toMatchObject({ ok: true });
    // A later visit of a Facebook friend is that channel's revenue too.
    expect(await h.services.visits.recordVisit(staff, an.code, 50_000, 'req-an-2')).toMatchObject({ ok: true });
    // The Zalo friend's first visit was a mistake: undone, it counts for nothing.
    expect(await h.services.corrections.undo(owner, cuc.code, 'nhầm khách', 'req-undo-cuc')).toMatchObject({ ok: true });
    // A customer who came on their own spends too: in the total, under no channel.
    const { customer: em } = await h.join(8008, 'Em');
    await h.services.visits.confirmFirstVisit(staff, em.code, 999_000);

    const expected = channels({
      fb: { linksOpened: 3, friendsJoined: 2, firstVisits: 2, revenue: 550_000 },
      zalo: { linksOpened: 1, friendsJoined: 1 },
      messenger: { linksOpened: 1 },
      qr: { friendsJoined: 1 },
    });
    const today = await h.services.reports.getPeriodStats(owner, 'today');
    if (!today.ok) throw new Error(today.reason);
    expect(today.stats.byChannel).toEqual(expected);
    expect(today.stats).toMatchObject({ linksOpened: 5, friendsJoined: 4, referredRevenue: 550_000 });

    // The next day, the closed day comes from its rollup, and equals the records.
    const from = dayStart();
    h.clock.advanceDays(1);
    const to = dayStart();
    const figures = reportFigures();
    const fromRollup = await figures.getStats(from, to);
    expect(await h.db.models.DayRollup.countDocuments({ version: 3 })).toBe(1);
    expect(fromRollup.byChannel).toEqual(expected);
    expect(fromRollup).toEqual(await figures.getStatsDirect(from, to));
  });

  it('rebuilds a rollup of the old shape, keeping the opens of records already removed in the total', async () => {
    const { models } = h.db;
    const to = dayStart();
    const from = DateTime.fromJSDate(to, { zone }).minus({ days: 1 }).toJSDate();
    const stored = await models.DayRollup.findOne({ start: from }).lean();
    const figures = stored!.figures as Record<string, unknown>;
    // Version 2 kept friends joined per channel, as numbers; this day's link opens were removed since.
    await models.DayRollup.updateOne(
      { start: from },
      { $set: { version: 2, pruned: ['linkOpens'], figures: { ...figures, byChannel: { telegram: 0, zalo: 1, link: 0, qr: 1 } } } },
    );
    await models.LinkOpen.deleteMany({});
    const rebuilt = await reportFigures().getStats(from, to);
    expect(rebuilt.linksOpened).toBe(5);
    expect(rebuilt.byChannel).toEqual(
      channels({ fb: { friendsJoined: 2, firstVisits: 2, revenue: 550_000 }, zalo: { friendsJoined: 1 }, qr: { friendsJoined: 1 } }),
    );
    expect((await models.DayRollup.findOne({ start: from }).lean())?.version).toBe(3);
  });
});
