import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createConversation } from '../../../src/channels/conversation/conversation.js';
import { createI18n, type I18n } from '../../../src/i18n.js';
import { createLogger } from '../../../src/logger.js';
import type { Actor } from '../../../src/services/index.js';
import { useServices } from '../../support/services.js';

describe('roles in the services, and the audit of refused attempts', () => {
  const h = useServices('roles-audit');
  let i18n: I18n;
  beforeAll(async () => {
    i18n = await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' });
  });
  const customer = async (id: number, name: string): Promise<Actor> => {
    const { customer: c } = await h.join(id, name);
    return { customerId: c._id, identity: `telegram:${id}` };
  };
  const refusedRows = (actor: Actor) => h.db.models.AuditLog.find({ kind: 'refused', actorId: actor.customerId }).lean();
  const roleOf = async (actor: Actor) => (await h.db.models.Customer.findById(actor.customerId).lean())?.role;

  it('a setup code works for 24 hours only; then it is refused, audited, and the next start prints a fresh one', async () => {
    // Processes starting together print the same code.
    const starts = () => Promise.all(Array.from({ length: 5 }, () => h.services.roles.getOrCreateSetupCode()));
    const [first, ...others] = await starts();
    expect(first).toBeDefined();
    expect(others).toEqual(Array(4).fill(first));
    const late = await customer(8001, 'Đến muộn');
    h.clock.current = new Date(h.clock.current.getTime() + 24 * 3600_000 + 1000);

    expect(await h.services.roles.claimOwnership(late, first!)).toEqual({ ok: false, reason: 'setup_code_expired' });
    expect(await roleOf(late)).toBe('customer');
    expect(await refusedRows(late)).toEqual([expect.objectContaining({ count: 1, actions: { claim_ownership: 1 } })]);
    // /start routes an old code as a setup code, so it gets the clear refusal instead of "unknown referral code".
    expect(await h.services.roles.isSetupCode(first!)).toBe(true);

    const [fresh, ...alsoFresh] = await starts();
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(first);
    expect(alsoFresh).toEqual(Array(4).fill(fresh));
    expect(await h.services.roles.getOrCreateSetupCode()).toBe(fresh);
    expect(await h.services.roles.claimOwnership(late, first!)).toEqual({ ok: false, reason: 'setup_code_expired' });
    expect(await h.services.roles.claimOwnership(late, fresh!)).toEqual({ ok: true });
    expect(await roleOf(late)).toBe('owner');
    expect(await h.services.roles.getOrCreateSetupCode()).toBeUndefined();
    expect(await h.services.roles.claimOwnership(await customer(8002, 'Người khác'), fresh!)).toEqual({ ok: false, reason: 'owner_exists' });
  });

  it('refuses every owner and staff read to a customer in the service, and audits them as one rolled-up row', async () => {
    const owner = await h.staff(8101, 'Chủ', 'owner');
    const staff = await h.staff(8102, 'Lễ tân');
    const nosy = await customer(8103, 'Tò mò');
    const ownerCode = (await h.db.models.Customer.findById(owner.customerId).lean())!.code;
    const notAllowed = { ok: false, reason: 'not_allowed' };

    expect(await h.services.memberCards.open(nosy, { query: ownerCode })).toEqual(notAllowed);
    expect(await h.services.reports.getPeriodStats(nosy, 'today')).toEqual(notAllowed);
    expect(await h.services.reports.getDailySummary(nosy)).toEqual(notAllowed);
    expect(await h.services.roles.listStaff(nosy)).toEqual(notAllowed);
    expect(await h.services.fraud.listOpen(nosy)).toEqual(notAllowed);
    expect(await h.services.overview.getOverview(nosy, { period: 'today' })).toEqual(notAllowed);
    // A caller claiming a role in the actor gets nothing for it: the service loads the role itself.
    expect(await h.services.reports.getPeriodStats({ ...nosy, role: 'owner' } as Actor, '30d')).toEqual(notAllowed);
    expect(await refusedRows(nosy)).toEqual([
      expect.objectContaining({
        count: 7,
        outcome: 'not_allowed',
        actions: { open_card: 1, stats: 2, summary: 1, staff_list: 1, flags: 1, dashboard_view: 1 },
      }),
    ]);

    // Staff may look people up, not read the owner's figures.
    expect(await h.services.memberCards.open(staff, { query: ownerCode })).toMatchObject({ ok: true, card: { customer: { code: ownerCode } } });
    expect(await h.services.reports.getPeriodStats(staff, 'today')).toEqual(notAllowed);
    expect(await h.services.roles.listStaff(staff)).toEqual(notAllowed);
    expect(await refusedRows(staff)).toEqual([expect.objectContaining({ count: 2, actions: { stats: 1, staff_list: 1 } })]);

    const ownStats = await h.services.reports.getPeriodStats(owner, 'today');
    expect(ownStats.ok && typeof ownStats.stats.newCustomers).toBe('number');
    // The customers in total, exact for a new shop (PostgreSQL has no statistics for the table yet).
    expect(await h.services.overview.getOverview(owner, { period: 'today' })).toMatchObject({
      ok: true,
      view: { customers: await h.db.models.Customer.countDocuments({}) },
    });
    expect(await refusedRows(owner)).toEqual([]);
  });

  it('a staff invite is refused once its issuer is no longer an owner', async () => {
    const owner = await h.staff(8201, 'Chủ cũ', 'owner');
    const invite = await h.services.roles.createStaffInvite(owner);
    if (!invite.ok) throw new Error(invite.reason);
    await h.db.models.Customer.updateOne({ _id: owner.customerId }, { $set: { role: 'customer' } });
    const invited = await customer(8202, 'Được mời');
    expect(await h.services.roles.acceptStaffInvite(invited, invite.code)).toEqual({ ok: false, reason: 'issuer_not_owner' });
    expect(await roleOf(invited)).toBe('customer');
    expect(await refusedRows(invited)).toEqual([expect.objectContaining({ count: 1, actions: { staff_invite_accept: 1 } })]);
  });

  it('50 refused commands leave the staff actions on the dashboard and make one row with count 50 per hour', async () => {
    const conversation = createConversation(
      { services: h.services, program: h.program, i18n, logger: createLogger('silent'), publicUrl: 'http://localhost:3000' },
      { network: 'zalo', referral: (code) => `http://localhost:3000/r/${code}`, memberCard: (code) => `http://localhost:3000/m/${code}` },
    );
    const say = (id: number, text: string, n: number) =>
      conversation.handle({ identity: `telegram:${id}`, chatId: String(id), displayName: 'Phá đám', text, requestKey: `u:${id}:${n}` });
    const owner = await h.staff(8301, 'Chủ', 'owner');
    const { customer: lan } = await h.join(8302, 'Lan');
    // The pest agreed to the notice, so the dashboard names them.
    const { customer: pestCustomer } = await h.join(8303, 'Phá đám');
    await h.services.roles.addStaff(owner, lan.code);

    const replies = [];
    for (let i = 0; i < 50; i++) replies.push(...(await say(8303, i % 2 === 0 ? '/stats 7d' : `/staff remove ${lan.code}`, i)));
    expect(replies.map((r) => r.text)).toEqual(Array(50).fill('Bạn không có quyền dùng lệnh này.'));
    // The next hour starts a new row.
    h.clock.current = new Date(h.clock.current.getTime() + 3600_000);
    await say(8303, '/summary', 50);

    // What the audit view lists: the latest actions, and the refusals apart (one row per person and hour).
    const actions = await h.db.models.AuditLog.find({ kind: { $ne: 'refused' } })
      .sort({ at: -1 })
      .limit(30)
      .lean();
    expect(actions.map((a) => `${a.action}:${a.outcome}`)).toContain('staff_add:changed');
    const pest = (await h.db.models.AuditLog.find({ kind: 'refused', actorId: pestCustomer._id }).sort({ at: -1 }).lean()).map((r) => ({
      count: r.count,
      actions: Object.entries((r.actions ?? {}) as Record<string, number>).map(([action, count]) => ({ action, count })),
    }));
    expect(pest.map((r) => r.count)).toEqual([1, 50]);
    expect(pest[1]!.actions).toEqual(
      expect.arrayContaining([
        { action: 'stats', count: 25 },
        { action: 'staff_remove', count: 25 },
      ]),
    );
    expect((await h.db.models.Customer.findById(lan._id).lean())?.role).toBe('staff');
  });

  it('the role loaded with the person is used for the whole update: no second query, and a forged actor still gets one', async () => {
    const joined = await h.join(8351, 'Khách');
    const roleQueries = vi.spyOn(h.db.models.Customer, 'findById');
    try {
      expect(await h.services.visits.recordVisit(joined.actor, 'ABC234', undefined, 'req-8351')).toEqual({ ok: false, reason: 'not_allowed' });
      expect(roleQueries).not.toHaveBeenCalled();
      // A plain object naming the same person is not a Grant: its role is loaded, and refused as well.
      const forged = { ...joined.actor, role: 'owner' };
      expect(await h.services.visits.recordVisit(forged, 'ABC234', undefined, 'req-8352')).toEqual({ ok: false, reason: 'not_allowed' });
      expect(roleQueries).toHaveBeenCalledTimes(1);
    } finally {
      roleQueries.mockRestore();
    }
    expect(await refusedRows(joined.actor)).toEqual([expect.objectContaining({ count: 2, actions: { record_visit: 2 } })]);
  });
});
