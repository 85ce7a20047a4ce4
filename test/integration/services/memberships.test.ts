import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/db/models/customer.js';
import type { NotificationType } from '../../../src/db/models/notification.js';
import { useServices } from '../../support/services.js';

const local = (iso: string) => new Date(`${iso}+07:00`);
const endOfDay = (date: string) => local(`${date}T23:59:59.999`);

describe('paid membership: enrolment at the counter, extension, reminders, figures', () => {
  const h = useServices('memberships');
  const reload = async (c: Customer) => (await h.db.models.Customer.findById(c._id).lean<Customer>())!;
  const chain = (c: Customer) => h.db.models.Membership.find({ customerId: c._id }).sort({ seq: 1 }).lean();

  it('records the payment, extends a running membership from its end, and is once per request and per double send', async () => {
    h.clock.current = local('2026-06-01T10:00:00');
    const staff = await h.staff(8001, 'Lễ tân');
    const other = await h.staff(8002, 'Lễ tân 2');
    const { customer: lan } = await h.join(8003, 'Lan');
    const first = await h.services.memberships.enrol(staff, lan.code, 12, 'req:1');
    expect(first).toMatchObject({ ok: true, repeated: false, membership: { months: 12, amount: 2_400_000, seq: 1 } });
    expect((await reload(lan)).memberUntil).toEqual(endOfDay('2027-06-01'));
    // The same update again (a redelivery), and the same sale sent twice a minute apart: one sale.
    expect(await h.services.memberships.enrol(staff, lan.code, 12, 'req:1')).toMatchObject({ ok: true, repeated: true });
    h.clock.current = local('2026-06-01T10:01:00');
    expect(await h.services.memberships.enrol(staff, lan.code, 12, 'req:2')).toMatchObject({ ok: true, repeated: true });
    expect(await chain(lan)).toHaveLength(1);
    // Two months later, still running: 3 more months from the end, not from today.
    h.clock.current = local('2026-08-01T10:00:00');
    const extended = await h.services.memberships.enrol(other, lan.code, 3, 'req:3');
    expect(extended).toMatchObject({
      ok: true,
      membership: { seq: 2, amount: 600_000, startsAt: endOfDay('2027-06-01'), endsAt: endOfDay('2027-09-01') },
    });
    expect((await reload(lan)).memberUntil).toEqual(endOfDay('2027-09-01'));
    expect(await h.db.models.Notification.countDocuments({ customerId: lan._id, type: 'membership_enrolled' })).toBe(2);
    expect(await h.db.models.AuditLog.countDocuments({ action: 'member', outcome: 'enrolled', targetId: lan._id })).toBe(2);
    // After it lapsed, a new membership starts today.
    h.clock.current = local('2027-10-05T10:00:00');
    const renewed = await h.services.memberships.enrol(staff, lan.code, 3, 'req:4');
    expect(renewed).toMatchObject({ ok: true, membership: { seq: 3, startsAt: local('2027-10-05T10:00:00'), endsAt: endOfDay('2028-01-05') } });
  });

  it('twenty sales at once each extend the membership: one chain, no period lost', async () => {
    h.clock.current = local('2026-06-01T10:00:00');
    const staff = await Promise.all(Array.from({ length: 20 }, (_, i) => h.staff(8100 + i, `Lễ tân ${i}`)));
    const { customer: minh } = await h.join(8099, 'Minh');
    const results = await Promise.all(staff.map((actor, i) => h.services.memberships.enrol(actor, minh.code, 3, `race:${i}`)));
    expect(results.every((r) => r.ok && !r.repeated)).toBe(true);
    const records = await chain(minh);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    records.slice(1).forEach((record, i) => expect(record.startsAt).toEqual(records[i]!.endsAt));
    expect((await reload(minh)).memberUntil).toEqual(endOfDay('2031-06-01'));
  }, 60_000);

  it('refuses customers (audited), bad periods, unknown customers and oneself, changing nothing', async () => {
    h.clock.current = local('2026-06-01T10:00:00');
    const staff = await h.staff(8201, 'Lễ tân');
    const { customer: nga } = await h.join(8202, 'Nga');
    const { customer: oanh } = await h.join(8203, 'Oanh');
    const asCustomer = { customerId: oanh._id, identity: 'telegram:8203' };
    expect(await h.services.memberships.enrol(asCustomer, nga.code, 3, 'x:1')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.db.models.AuditLog.countDocuments({ kind: 'refused', actorId: oanh._id })).toBe(1);
    expect(await h.services.memberships.enrol(staff, nga.code, 4, 'x:2')).toEqual({
      ok: false,
      reason: 'bad_period',
      periodMonths: 3,
      maxMonths: 36,
    });
    expect(await h.services.memberships.enrol(staff, nga.code, 0, 'x:3')).toMatchObject({ ok: false, reason: 'bad_period' });
    expect(await h.services.memberships.enrol(staff, nga.code, 39, 'x:4')).toMatchObject({ ok: false, reason: 'bad_period' });
    expect(await h.services.memberships.enrol(staff, 'ZZZZZZ', 3, 'x:5')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.memberships.enrol(staff, (await reload({ _id: staff.customerId } as Customer)).code, 3, 'x:6')).toEqual({
      ok: false,
      reason: 'own_membership',
    });
    expect(await h.db.models.Membership.countDocuments({ customerId: nga._id })).toBe(0);
    expect((await reload(nga)).memberUntil).toBeUndefined();
  });

  it('reminds once before the end, not when extended, and tells once when it lapsed', async () => {
    h.clock.current = local('2026-06-01T10:00:00');
    const staff = await h.staff(8301, 'Lễ tân');
    const { customer: phuc } = await h.join(8302, 'Phúc');
    const { customer: quan } = await h.join(8303, 'Quân');
    await h.services.memberships.enrol(staff, phuc.code, 3, 'r:1');
    await h.services.memberships.enrol(staff, quan.code, 3, 'r:2');
    h.clock.current = local('2026-08-28T10:00:00');
    await h.services.memberships.enrol(staff, quan.code, 3, 'r:3');
    const count = (c: Customer, type: NotificationType) => h.db.models.Notification.countDocuments({ customerId: c._id, type });
    await h.services.memberships.recordReminders();
    await Promise.all([h.services.memberships.recordReminders(), h.services.memberships.recordReminders()]);
    expect(await count(phuc, 'membership_expiry_reminder')).toBe(1);
    expect(await count(quan, 'membership_expiry_reminder')).toBe(0);
    expect(await count(phuc, 'membership_lapsed')).toBe(0);
    h.clock.current = local('2026-09-02T10:00:00');
    await h.services.memberships.recordReminders();
    await h.services.memberships.recordReminders();
    expect(await count(phuc, 'membership_lapsed')).toBe(1);
    expect(await count(quan, 'membership_lapsed')).toBe(0);
  });

  it("counts the day's sales, their revenue and the members in the owner's figures", async () => {
    h.clock.current = new Date();
    const owner = await h.staff(8401, 'Chủ', 'owner');
    const before = await h.services.reports.getPeriodStats(owner, 'today');
    if (!before.ok) throw new Error(before.reason);
    const { customer: khoa } = await h.join(8402, 'Khoa');
    await h.services.memberships.enrol(owner, khoa.code, 6, 'f:1');
    const after = await h.services.reports.getPeriodStats(owner, 'today');
    if (!after.ok) throw new Error(after.reason);
    expect(after.stats.memberships).toBe(before.stats.memberships + 1);
    expect(after.stats.membershipRevenue).toBe(before.stats.membershipRevenue + 1_200_000);
    expect(after.stats.activeMembers).toBe(before.stats.activeMembers + 1);
  });
});

describe('paid membership when the rules sell none', () => {
  const h = useServices('memberships-off', (p) => ({ ...p, membership: null }));
  it('is refused as not offered and records nothing', async () => {
    const staff = await h.staff(8501, 'Lễ tân');
    const { customer } = await h.join(8502, 'Lan');
    expect(await h.services.memberships.enrol(staff, customer.code, 3, 'n:1')).toEqual({ ok: false, reason: 'not_offered' });
    expect(await h.db.models.Membership.countDocuments()).toBe(0);
    expect(await h.services.memberships.recordReminders()).toEqual({ reminders: 0, lapsed: 0 });
  });
});
