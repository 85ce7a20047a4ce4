import type { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/db/models/customer.js';
import type { Actor } from '../../../src/services/index.js';
import { partnerWithFriend } from '../../support/partners.js';
import { useServices } from '../../support/services.js';

/** Partner commission on the real database (partners set up through the models, see test/support/partners.ts). */
const at = (iso: string) => new Date(iso);

describe('commissions: lines from visits, undo, the monthly close', () => {
  const h = useServices('commissions', (p) => ({
    ...p,
    partners: {
      ...p.partners,
      plans: [
        ...p.partners.plans,
        { id: 'fixed', name: { vi: 'Cố định', en: 'Fixed' }, commission: { kind: 'first_visit', amount: 50_000 }, welcome: null },
      ],
    },
  }));
  const m = () => h.db.models;
  let owner: Actor;
  let staff: Actor;
  let paidPartner: Customer | undefined;
  const lines = (customerId: Types.ObjectId) => m().CommissionLine.find({ customerId }).sort({ visitAt: 1, key: 1 }).lean();

  it('revenue share: 10% of each visit inside 90 days of the first, rounded to the đồng, 0 without an amount, nothing after', async () => {
    h.clock.current = at('2026-06-01T03:00:00Z');
    owner = await h.staff(7000, 'Chủ tiệm', 'owner');
    staff = await h.staff(7001, 'Lễ tân');
    const { partner, friend } = await partnerWithFriend(h, { partner: 7002, friend: 7003 });

    await h.services.visits.confirmFirstVisit(staff, friend.code, 300_000);
    h.clock.advanceDays(10);
    await h.services.visits.recordVisit(staff, friend.code, 155_555, 'rs-1');
    h.clock.advanceDays(1);
    await h.services.visits.recordVisit(staff, friend.code, undefined, 'rs-2');
    // Day 90 after the first visit's day is the 91st day: outside the window.
    h.clock.current = at('2026-08-29T03:00:00Z');
    await h.services.visits.recordVisit(staff, friend.code, 200_000, 'rs-3');
    h.clock.current = at('2026-08-30T03:00:00Z');
    await h.services.visits.recordVisit(staff, friend.code, 200_000, 'rs-4');

    const found = await lines(friend._id);
    expect(found.map((l) => [l.month, l.visitAmount, l.commission, l.status])).toEqual([
      ['2026-06', 300_000, 30_000, 'counted'],
      ['2026-06', 155_555, 15_556, 'counted'],
      ['2026-06', 0, 0, 'counted'],
      ['2026-08', 200_000, 20_000, 'counted'],
    ]);
    expect(found.every((l) => l.partnerId.equals(partner._id) && l.planId === 'standard')).toBe(true);
    expect(found[0]?.rule).toMatchObject({ kind: 'revenue_share', percent: 10, days: 90 });

    // A rerun of onVisit (a retry after a crash) writes nothing twice.
    const visit = (await m().Visit.findOne({ customerId: friend._id, first: true }).lean())!;
    await Promise.all([h.services.commissions.onVisit(visit), h.services.commissions.onVisit(visit)]);
    expect(await m().CommissionLine.countDocuments({ customerId: friend._id })).toBe(4);

    const self = await h.services.commissions.statement({ customerId: partner._id, identity: 'telegram:7002' }, 'self', '2026-06');
    expect(self).toMatchObject({
      ok: true,
      statement: {
        month: '2026-06',
        customersBrought: 1,
        firstVisits: 1,
        revenue: 455_555,
        commission: 45_556,
        closed: false,
        paid: 0,
        owed: 65_556,
      },
    });
  });

  it('a fixed amount per first visit: once, on the visit that converted the referral', async () => {
    h.clock.current = at('2026-09-02T03:00:00Z');
    const { friend } = await partnerWithFriend(h, { partner: 7102, friend: 7103 }, 'fixed');
    await h.services.visits.confirmFirstVisit(staff, friend.code, 80_000);
    await h.services.visits.recordVisit(staff, friend.code, 500_000, 'fx-1');
    expect((await lines(friend._id)).map((l) => [l.commission, l.rule.kind])).toEqual([[50_000, 'first_visit']]);
  });

  it('undo in an open month voids the line; after the close it lands in the next month as a negative adjustment', async () => {
    h.clock.current = at('2026-10-05T03:00:00Z');
    const { partner, friend } = await partnerWithFriend(h, { partner: 7202, friend: 7203 });
    await h.services.visits.confirmFirstVisit(staff, friend.code, 100_000);
    h.clock.advanceDays(1);
    await h.services.visits.recordVisit(staff, friend.code, 400_000, 'un-1');
    await h.services.corrections.undo(staff, undefined, 'nhầm', 'undo-1');
    expect((await lines(friend._id)).map((l) => [l.commission, l.status])).toEqual([
      [10_000, 'counted'],
      [40_000, 'void'],
    ]);

    h.clock.advanceDays(2);
    await h.services.visits.recordVisit(staff, friend.code, 250_000, 'un-2');
    h.clock.current = at('2026-11-01T00:00:00Z');
    const summary = await h.services.commissions.closeMonth('2026-10');
    expect(summary?.partners).toMatchObject({ due: 35_000 });
    const statement = await m().PartnerStatement.findOne({ partnerId: partner._id, month: '2026-10' }).lean();
    expect(statement).toMatchObject({ commission: 35_000, revenue: 350_000, adjustments: 0, due: 35_000, paid: false });

    // November: the owner undoes the October visit; October stays frozen, November gets −25,000.
    h.clock.current = at('2026-11-03T03:00:00Z');
    await h.services.corrections.undo(owner, friend.code, 'khách trả lại', 'undo-2');
    const adjustment = await m().CommissionLine.findOne({ customerId: friend._id, adjustment: true }).lean();
    expect(adjustment).toMatchObject({ month: '2026-11', commission: -25_000, status: 'counted' });
    expect(await m().PartnerStatement.findOne({ partnerId: partner._id, month: '2026-10' }).lean()).toMatchObject({ due: 35_000 });

    h.clock.current = at('2026-12-01T00:30:00Z');
    await h.services.commissions.closeMonth('2026-11');
    expect(await m().PartnerStatement.findOne({ partnerId: partner._id, month: '2026-11' }).lean()).toMatchObject({
      commission: 0,
      adjustments: -25_000,
      due: -25_000,
    });
    const texts = await m().Notification.find({ customerId: partner._id, type: 'partner_statement' }).sort({ createdAt: 1 }).lean();
    expect(texts.map((n) => (n.data as { due: number; owed: number }).due)).toEqual([35_000, -25_000]);
    expect((texts[1]?.data as { owed: number }).owed).toBe(10_000);
  });

  it('two closes racing give one close, one statement and one message per person; a rerun adds nothing', async () => {
    h.clock.current = at('2027-01-10T03:00:00Z');
    const { partner, friend } = await partnerWithFriend(h, { partner: 7302, friend: 7303 });
    await h.services.visits.confirmFirstVisit(staff, friend.code, 120_000);
    // The friend's 10% voucher is used the same day: its cost is 10% of that visit's 120,000.
    const friendVoucher = (await m().Voucher.findOne({ customerId: friend._id }).lean())!;
    expect(await h.services.vouchers.redeem(staff, friendVoucher.code)).toMatchObject({ ok: true });
    // Test setup: an amount-off reward issued in December that expired unused in January.
    await m().Voucher.create({
      code: 'EXPJAN1',
      causeKey: 'test:expired-in-january',
      customerId: friend._id,
      cause: 'catalogue',
      reward: { kind: 'amount_off', value: 30_000, label: { vi: 'Giảm 30.000đ', en: '30,000 off' } },
      status: 'active',
      issuedAt: at('2026-12-20T03:00:00Z'),
      issuedDay: '2026-12-20',
      expiresAt: at('2027-01-20T03:00:00Z'),
    });
    h.clock.current = at('2027-02-01T00:30:00Z');
    await Promise.all(Array.from({ length: 5 }, () => h.services.commissions.closeMonth('2027-01')));
    await h.services.commissions.closeMonth('2027-01');
    expect(await m().ProgramClose.find({ month: '2027-01' }).lean()).toEqual([expect.objectContaining({ status: 'closed' })]);
    expect(await m().PartnerStatement.countDocuments({ partnerId: partner._id, month: '2027-01' })).toBe(1);
    expect(await m().Notification.countDocuments({ customerId: partner._id, type: 'partner_statement', key: /2027-01/ })).toBe(1);
    expect(await m().Notification.countDocuments({ customerId: owner.customerId, type: 'program_close', key: /2027-01/ })).toBe(1);
    const close = (await m().ProgramClose.findOne({ month: '2027-01' }).lean())!;
    expect(close.summary).toMatchObject({
      partners: { due: 12_000, commission: 12_000, revenue: 120_000 },
      rewards: {
        // The friend's voucher only: a partner earns commission, not the referrer's reward.
        issued: { count: 1, value: 0, unpriced: 1 },
        redeemed: { count: 1, value: 12_000, unpriced: 0 },
        expired: { count: 1, value: 30_000 },
      },
      referredVisits: 1,
      referredRevenue: 120_000,
      cost: 24_000,
    });
  });

  it('the close derives lines a crash lost between a visit and onVisit, and voids those of a visit undone before onUndo ran', async () => {
    h.clock.current = at('2027-02-10T03:00:00Z');
    const { partner, friend } = await partnerWithFriend(h, { partner: 7402, friend: 7403 });
    paidPartner = partner;
    await h.services.visits.confirmFirstVisit(staff, friend.code, 200_000);
    h.clock.advanceDays(1);
    await h.services.visits.recordVisit(staff, friend.code, 300_000, 'bf-1');
    // The crash: the lines never written.
    await m().CommissionLine.deleteMany({ customerId: friend._id });
    // Another crash: a visit undone whose line was written but never taken back.
    h.clock.advanceDays(1);
    const undone = await h.services.visits.recordVisit(staff, friend.code, 900_000, 'bf-2');
    if (!undone.ok) throw new Error(undone.reason);
    await m().Visit.updateOne({ _id: undone.visit._id }, { $set: { undoneAt: h.clock.now(), key: `undone:${String(undone.visit._id)}` } });
    h.clock.current = at('2027-03-01T00:30:00Z');
    expect(await h.services.commissions.closeDue()).toEqual(['2027-02']);
    expect((await lines(friend._id)).map((l) => [l.month, l.commission, l.status])).toEqual([
      ['2027-02', 20_000, 'counted'],
      ['2027-02', 30_000, 'counted'],
      ['2027-02', 90_000, 'void'],
    ]);
    expect(await m().PartnerStatement.findOne({ partnerId: partner._id, month: '2027-02' }).lean()).toMatchObject({ due: 50_000 });
    // Caught up: the next start closes nothing again.
    expect(await h.services.commissions.closeDue()).toEqual([]);
  });

  it('marking paid: owner only, closed months only, once, audited, and the partner is told', async () => {
    h.clock.current = at('2027-03-05T03:00:00Z');
    const partner = paidPartner!;
    const asPartner = { customerId: partner._id, identity: 'telegram:7402' };
    expect(await h.services.commissions.markPaid(asPartner, partner.code, '2027-02')).toEqual({ ok: false, reason: 'not_owner' });
    expect(await h.services.commissions.markPaid(owner, partner.code, '2027-03')).toEqual({ ok: false, reason: 'month_open' });
    expect(await h.services.commissions.markPaid(owner, partner.code, '2027-13')).toEqual({ ok: false, reason: 'bad_month' });
    expect(await h.services.commissions.markPaid(owner, 'ZZZZZZ', '2027-02')).toEqual({ ok: false, reason: 'not_a_partner' });
    const presses = await Promise.all([1, 2, 3].map(() => h.services.commissions.markPaid(owner, partner.code, '2027-02')));
    expect(presses.filter((r) => r.ok)).toEqual([{ ok: true, amount: 50_000, partnerId: partner._id }]);
    expect(presses.filter((r) => !r.ok).map((r) => r.reason)).toEqual(['already_paid', 'already_paid']);
    expect(await m().Notification.find({ customerId: partner._id, type: 'partner_paid' }).lean()).toEqual([
      expect.objectContaining({ data: { month: '2027-02', amount: 50_000 } }),
    ]);
    expect(await m().AuditLog.countDocuments({ action: 'mark_partner_paid', outcome: 'paid' })).toBe(1);
    const shown = await h.services.commissions.statement(owner, partner._id, '2027-02');
    expect(shown).toMatchObject({ ok: true, statement: { closed: true, paid: 50_000, owed: 0 } });
    expect(await h.services.commissions.statement(staff, partner._id, '2027-02')).toEqual({ ok: false, reason: 'not_owner' });
  });
});
