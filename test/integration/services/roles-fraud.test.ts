import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

describe('owners, staff and the fraud review queue', () => {
  const h = useServices('roles');

  it('gives a one-time setup code while there is no owner, and accepts it once', async () => {
    const code = await h.services.roles.getOrCreateSetupCode();
    expect(code).toMatch(/^[A-HJ-KM-NP-Z2-9]{8}$/);
    expect(await h.services.roles.getOrCreateSetupCode()).toBe(code);
    expect(await h.services.roles.isSetupCode(code!.toLowerCase())).toBe(true);
    const { customer: first } = await h.join(3001, 'Chủ');
    const { customer: second } = await h.join(3002, 'Người khác');
    const actor = (c: typeof first, id: number) => ({ customerId: c._id, identity: `telegram:${id}` });
    expect(await h.services.roles.claimOwnership(actor(first, 3001), 'WRONGCDE')).toEqual({ ok: false, reason: 'invalid_setup_code' });
    expect(await h.services.roles.claimOwnership(actor(first, 3001), code!)).toEqual({ ok: true });
    expect(await h.services.roles.claimOwnership(actor(second, 3002), code!)).toEqual({ ok: false, reason: 'owner_exists' });
    expect((await h.db.models.Customer.findById(first._id).lean())?.role).toBe('owner');
    expect((await h.db.models.Customer.findById(second._id).lean())?.role).toBe('customer');
    expect(await h.services.roles.getOrCreateSetupCode()).toBeUndefined();
  });

  it('makes OWNER_IDS owners, even before they chatted', async () => {
    await h.services.roles.ensureOwners(['telegram:3101', 'zalo:abc3101'], 'vi');
    const owner = await h.services.customers.findByIdentity('zalo:abc3101');
    expect(owner?.role).toBe('owner');
    const { customer } = await h.join(3101, 'Chủ');
    expect(customer.role).toBe('owner');
  });

  it('a staff invite from the owner makes one person staff, once, tells the owner, and expires', async () => {
    const owner = await h.staff(3301, 'Chủ', 'owner');
    const { customer: mai } = await h.join(3302, 'Mai');
    const maiActor = { customerId: mai._id, identity: 'telegram:3302' };
    expect(await h.services.roles.createStaffInvite(maiActor)).toEqual({ ok: false, reason: 'not_allowed' });
    const invite = await h.services.roles.createStaffInvite(owner);
    if (!invite.ok) throw new Error('the owner may invite');
    expect(invite.code).toMatch(/^[A-HJ-KM-NP-Z2-9]{10}$/);

    // The owner opening their own invite does not use it up.
    expect(await h.services.roles.acceptStaffInvite(owner, invite.code)).toEqual({ ok: false, reason: 'is_owner' });
    // Twenty people open the same invite at once: exactly one becomes staff.
    const people = await Promise.all(Array.from({ length: 20 }, (_, i) => h.join(3310 + i, `Người ${i}`)));
    const results = await Promise.all(
      people.map(({ customer }) =>
        h.services.roles.acceptStaffInvite({ customerId: customer._id, identity: `telegram:${customer.code}` }, invite.code.toLowerCase()),
      ),
    );
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, changed: true }]);
    expect(results.filter((r) => !r.ok)).toHaveLength(19);
    expect(await h.db.models.Customer.countDocuments({ _id: { $in: people.map((p) => p.customer._id) }, role: 'staff' })).toBe(1);
    const joined = await h.db.models.Notification.find({ customerId: owner.customerId, type: 'staff_joined' }).lean();
    expect(joined).toHaveLength(1);

    expect(await h.services.roles.acceptStaffInvite(maiActor, 'NOT-A-CODE')).toEqual({ ok: false, reason: 'invalid_invite' });
    const late = await h.services.roles.createStaffInvite(owner);
    if (!late.ok) throw new Error('the owner may invite');
    const clock = h.clock.current;
    h.clock.current = new Date(Date.now() + 25 * 3600_000);
    expect(await h.services.roles.acceptStaffInvite(maiActor, late.code)).toEqual({ ok: false, reason: 'invalid_invite' });
    h.clock.current = clock;
    expect((await h.db.models.Customer.findById(mai._id).lean())?.role).toBe('customer');
  });

  it('lets the owner add and remove staff by personal code, telling the person, and audits it', async () => {
    const owner = await h.staff(3201, 'Chủ', 'owner');
    const { customer: lan } = await h.join(3202, 'Lan');
    expect(await h.services.roles.addStaff(owner, lan.code)).toMatchObject({ ok: true, changed: true, customer: { role: 'staff' } });
    expect(await h.services.roles.addStaff(owner, lan.code)).toMatchObject({ ok: true, changed: false });
    const list = await h.services.roles.listStaff(owner);
    if (!list.ok) throw new Error(list.reason);
    expect(list.people.map((c) => c.name)).toEqual(expect.arrayContaining(['Chủ', 'Lan']));
    expect(await h.db.models.Notification.countDocuments({ customerId: lan._id, type: 'staff_added' })).toBe(1);

    const lanActor = { customerId: lan._id, identity: 'telegram:3202' };
    const ownerDoc = await h.db.models.Customer.findById(owner.customerId).lean();
    expect(await h.services.roles.addStaff(lanActor, lan.code)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.roles.removeStaff(owner, ownerDoc!.code)).toEqual({ ok: false, reason: 'is_owner' });
    expect(await h.services.roles.removeStaff(owner, 'ZZZZZZ')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.roles.removeStaff(owner, '??')).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await h.services.roles.removeStaff(owner, lan.code)).toMatchObject({ ok: true, changed: true, customer: { role: 'customer' } });
    const actions = await h.db.models.AuditLog.find({ actorId: owner.customerId }).lean();
    expect(actions.map((a) => `${a.action}:${a.outcome}`)).toEqual(
      expect.arrayContaining(['staff_add:changed', 'staff_add:unchanged', 'staff_remove:is_owner', 'staff_remove:changed']),
    );
  });

  it('lists open flags for the owner only and resolves them once', async () => {
    const owner = await h.staff(3301, 'Chủ', 'owner');
    const staff = await h.staff(3302, 'Nhân viên');
    const { customer: friend } = await h.join(3303, 'Bạn');
    const staffDoc = await h.db.models.Customer.findById(staff.customerId).lean();
    await h.services.referrals.attribute(friend._id, staffDoc!.code, 'telegram');
    await h.services.visits.confirmFirstVisit(staff, friend.code);

    expect(await h.services.fraud.listOpen(staff)).toEqual({ ok: false, reason: 'not_allowed' });
    const open = await h.services.fraud.listOpen(owner);
    if (!open.ok) throw new Error(open.reason);
    const flag = open.flags.find((f) => f.rule === 'staff_confirms_own_referral');
    // The review names the referrer-friend pair (and the staff member) by name and code.
    expect(flag).toMatchObject({
      referrer: { name: staffDoc!.name, code: staffDoc!.code },
      friend: { name: 'Bạn', code: friend.code },
      staff: { name: staffDoc!.name, code: staffDoc!.code },
    });
    // Confirming it undoes the referral: both vouchers cancelled, the referral points taken back.
    expect(await h.services.fraud.resolve(owner, String(flag!._id), 'confirmed')).toMatchObject({
      ok: true,
      flag: { status: 'confirmed' },
      reversal: { vouchersCancelled: 2, pointsReversed: h.program.points.perReferral },
    });
    expect(await h.services.fraud.resolve(owner, String(flag!._id), 'dismissed')).toEqual({ ok: false, reason: 'not_found' });
    expect(await h.services.fraud.resolve(owner, 'nonsense', 'dismissed')).toEqual({ ok: false, reason: 'not_found' });
  });
});
