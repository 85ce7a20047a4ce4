import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

/** Optional points expiry: idle balances expire after N months, with one reminder before; lifetime points stay. */
describe('points expiry', () => {
  const h = useServices('points-expiry', (p) => ({ ...p, pointsExpiry: { enabled: true, months: 6, reminderDays: 14 } }));
  const m = () => h.db.models;

  it('reminds once in the reminder window, expires the balance once at the end, and a new visit starts a new period', async () => {
    const { customer: idle } = await h.join(8001, 'Ngủ quên');
    const { customer: active } = await h.join(8002, 'Hay ghé');
    await h.services.points.add(idle._id, 400, 'visit', 'seed:idle');
    await h.services.points.add(active._id, 400, 'visit', 'seed:active');
    const { customer: broke } = await h.join(8003, 'Hết điểm');

    h.clock.advanceDays(100);
    await h.services.wallet.expirePoints();
    expect(await m().Notification.countDocuments({ type: 'points_expiry_reminder' })).toBe(0);
    await h.services.points.add(active._id, 100, 'visit', 'visit:active:2');

    // 6 months minus 14 days after the last change: the reminder, once however often the pass runs.
    h.clock.advanceDays(170 - 100);
    await h.services.wallet.expirePoints();
    await h.services.wallet.expirePoints();
    const reminders = await m().Notification.find({ type: 'points_expiry_reminder' }).lean();
    expect(reminders.map((n) => [String(n.customerId), (n.data as { balance: number }).balance])).toEqual([[String(idle._id), 400]]);

    h.clock.advanceDays(20);
    await h.services.wallet.expirePoints();
    await h.services.wallet.expirePoints();
    const expiries = await m().PointsEntry.find({ cause: 'expiry' }).lean();
    expect(expiries.map((e) => [String(e.customerId), e.delta, e.earned])).toEqual([[String(idle._id), -400, false]]);
    expect(await m().Customer.findById(idle._id, { points: 1, balance: 1, _id: 0 }).lean()).toEqual({
      points: 400,
      balance: 0,
    });
    expect(await m().Customer.findById(active._id, { points: 1, balance: 1, _id: 0 }).lean()).toEqual({ points: 500, balance: 500 });
    expect(await m().Notification.countDocuments({ customerId: broke._id })).toBe(0);
  });
});

describe('points expiry off (the default)', () => {
  const h = useServices('points-expiry-off');
  it('never reminds or expires', async () => {
    const { customer } = await h.join(8101, 'Khách');
    await h.services.points.add(customer._id, 400, 'visit', 'seed:off');
    h.clock.advanceDays(1000);
    await h.services.wallet.expirePoints();
    expect(await h.db.models.PointsEntry.countDocuments({ cause: 'expiry' })).toBe(0);
    expect(await h.db.models.Notification.countDocuments({ type: 'points_expiry_reminder' })).toBe(0);
  });
});
