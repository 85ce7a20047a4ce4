import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

describe('the back office reads: customers list, card and journey, vouchers and audit lists, staff sessions', () => {
  const h = useServices('directory');
  const m = () => h.db.models;

  it('finds customers by name without diacritics, by phone in any format, by code; staff see masked phones unless they searched the number', async () => {
    const owner = await h.staff(5001, 'Chủ tiệm', 'owner');
    const staff = await h.staff(5002, 'Lễ tân');
    const { customer: lan } = await h.join(5003, 'Nguyễn Thị Lân');
    const { customer: lanh } = await h.join(5004, 'Trần Lanh');
    const { customer: duc } = await h.join(5005, 'Đức Anh');
    await h.services.customers.setPhone(lan._id, '0903 123 456');

    const names = async (q: string) => {
      const found = await h.services.directory.list(owner, { q });
      if (!found.ok) throw new Error(found.reason);
      return found.rows.map((row) => row.name);
    };
    // A word, or the start of one, with or without diacritics, in any case.
    expect((await names('lan')).sort()).toEqual(['Nguyễn Thị Lân', 'Trần Lanh']);
    expect((await names('LÂN')).sort()).toEqual(['Nguyễn Thị Lân', 'Trần Lanh']);
    expect(await names('lanh')).toEqual(['Trần Lanh']);
    expect(await names('thi lan')).toEqual(['Nguyễn Thị Lân']);
    expect(await names('nguyen lan')).toEqual(['Nguyễn Thị Lân']);
    expect(await names('duc')).toEqual(['Đức Anh']);
    expect(await names('lan nguyen thi')).toEqual(['Nguyễn Thị Lân']);
    expect(await names('hoa')).toEqual([]);

    for (const q of ['0903 123 456', '+84903123456', '84-903-123-456', '0903.123.456']) {
      const found = await h.services.directory.list(staff, { q });
      expect(found).toMatchObject({ ok: true, matchedBy: 'phone', rows: [{ code: lan.code, phone: '0903 123 456' }] });
    }
    expect(await h.services.directory.list(staff, { q: '0903 123 45' })).toMatchObject({ ok: false, reason: 'invalid_phone' });
    const byCode = await h.services.directory.list(staff, { q: lanh.code.toLowerCase() });
    expect(byCode).toMatchObject({ ok: true, matchedBy: 'code', rows: [{ code: lanh.code }] });
    // Listed without searching by the number: staff see it masked, the owner in full.
    const all = await h.services.directory.list(staff, {});
    if (!all.ok) throw new Error(all.reason);
    expect(all.rows.find((row) => row.code === lan.code)?.phone).toBe('•••• ••• 456');
    const ownerList = await h.services.directory.list(owner, { sort: 'name' });
    if (!ownerList.ok) throw new Error(ownerList.reason);
    expect(ownerList.rows.find((row) => row.code === lan.code)?.phone).toBe('0903 123 456');
    // By name: "Đức" sorts as "duc", before "le tan" and "nguyen".
    expect(ownerList.rows.map((row) => row.name)).toEqual(['Chủ tiệm', 'Đức Anh', 'Lễ tân', 'Nguyễn Thị Lân', 'Trần Lanh']);
    expect(duc.code).toBeTruthy();
  });

  it('a customer (no role) is refused every read, and the refusal is audited', async () => {
    const { customer } = await h.join(5010, 'Khách lạ');
    const actor = { customerId: customer._id, identity: 'web:dashboard' };
    expect(await h.services.directory.list(actor, {})).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.directory.card(actor, customer.code)).toEqual({ ok: false, reason: 'not_allowed' });
    const staff = await h.staff(5011, 'Nhân viên 2');
    expect(await h.services.listings.vouchers(staff, {})).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.listings.audit(staff, {})).toEqual({ ok: false, reason: 'not_allowed' });
    const refused = await m().AuditLog.find({ kind: 'refused', actorId: customer._id }).lean();
    expect(refused.map((row) => Object.keys(row.actions as object).sort())).toEqual([['customer_view', 'customers_view']]);
  });

  it('pages through a sort order with a cursor, every customer once; filters by tier and referrer', async () => {
    const owner = await h.staff(5020, 'Chủ 2', 'owner');
    const { customer: referrer } = await h.join(5021, 'Người giới thiệu');
    for (let i = 0; i < 30; i += 1) {
      const { customer } = await h.join(5100 + i, `Khách ${i}`);
      if (i < 3) await h.services.referrals.attribute(customer._id, referrer.code, 'telegram');
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const found = await h.services.directory.list(owner, { sort: 'points', ...(after ? { after } : {}) });
      if (!found.ok) throw new Error(found.reason);
      seen.push(...found.rows.map((row) => row.code));
      after = found.next;
      if (!after) break;
    }
    const total = await m().Customer.countDocuments({});
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const referred = await h.services.directory.list(owner, { referredBy: referrer.code });
    if (!referred.ok) throw new Error(referred.reason);
    expect(referred.rows.map((row) => row.name).sort()).toEqual(['Khách 0', 'Khách 1', 'Khách 2']);
    expect(await h.services.directory.list(owner, { referredBy: 'ZZZZZZ' })).toEqual({ ok: false, reason: 'referrer_not_found' });
    expect(await h.services.directory.list(owner, { after: 'not-a-cursor' })).toEqual({ ok: false, reason: 'invalid_cursor' });
  });

  it('the card: the journey for the owner (referral, visit, points, vouchers, messages), none for staff', async () => {
    const owner = await h.staff(5030, 'Chủ 3', 'owner');
    const staff = await h.staff(5031, 'Lễ tân 3');
    const { customer: a } = await h.join(5032, 'Anh Ba');
    const { customer: b } = await h.join(5033, 'Bé Tư');
    await h.services.referrals.attribute(b._id, a.code, 'zalo');
    const first = await h.services.visits.confirmFirstVisit(staff, b.code, 300_000);
    if (!first.ok) throw new Error(first.reason);
    const card = await h.services.directory.card(owner, b.code);
    if (!card.ok) throw new Error(card.reason);
    expect(card.card.referrer).toEqual({ name: 'Anh Ba', code: a.code });
    expect(card.card.lastVisit).toMatchObject({ amount: 300_000 });
    const kinds = card.card.journey!.map((event) => event.kind);
    for (const kind of ['joined', 'referred', 'visit', 'points', 'voucher_issued', 'message']) expect(kinds).toContain(kind);
    expect(card.card.vouchers.length).toBeGreaterThan(0);
    const times = card.card.journey!.map((event) => event.at.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const staffCard = await h.services.directory.card(staff, b.code);
    expect(staffCard).toMatchObject({ ok: true, card: { customer: { code: b.code } } });
    if (staffCard.ok) expect(staffCard.card.journey).toBeUndefined();
    expect(await h.services.directory.card(owner, 'ZZZZZZ')).toEqual({ ok: false, reason: 'not_found' });

    const vouchers = await h.services.listings.vouchers(owner, { customer: b.code });
    expect(vouchers).toMatchObject({ ok: true, rows: [{ status: 'active', customer: { code: b.code } }] });
    expect(await h.services.listings.vouchers(owner, { status: 'redeemed' })).toMatchObject({ ok: true, rows: [] });
    const audit = await h.services.listings.audit(owner, { action: 'confirm_first_visit' });
    if (!audit.ok) throw new Error(audit.reason);
    expect(audit.rows[0]).toMatchObject({ actor: { code: (await m().Customer.findById(staff.customerId).lean())!.code } });
  });

  it('staff sessions: a staff link opens a staff session, which ends when the role ends; the owner ends every session', async () => {
    const owner = await h.staff(5040, 'Chủ 4', 'owner');
    const staff = await h.staff(5041, 'Lễ tân 4');
    const link = await h.services.dashboard.createLink(staff);
    if (!link.ok) throw new Error(link.reason);
    expect(link.role).toBe('staff');
    const signIn = await h.services.dashboard.signIn(link.token);
    if (!signIn.ok) throw new Error(signIn.reason);
    expect(await h.services.dashboard.open(signIn.sessionId)).toMatchObject({ ok: true, role: 'staff' });
    // Promoted to owner, the staff session does not become an owner's: it ends.
    await m().Customer.updateOne({ _id: staff.customerId }, { $set: { role: 'owner' } });
    expect(await h.services.dashboard.open(signIn.sessionId)).toEqual({ ok: false, reason: 'invalid_session' });
    await m().Customer.updateOne({ _id: staff.customerId }, { $set: { role: 'staff' } });
    expect(await h.services.dashboard.open(signIn.sessionId)).toMatchObject({ ok: true, role: 'staff' });
    // The owner's "end all sessions" ends the staff's too.
    const ownerLink = await h.services.dashboard.createLink(owner);
    if (!ownerLink.ok) throw new Error(ownerLink.reason);
    const ownerSession = await h.services.dashboard.signIn(ownerLink.token);
    if (!ownerSession.ok) throw new Error(ownerSession.reason);
    expect(await h.services.dashboard.endSessions(staff)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.dashboard.endSessions(owner)).toEqual({ ok: true, ended: 2 });
    expect(await h.services.dashboard.open(signIn.sessionId)).toEqual({ ok: false, reason: 'invalid_session' });
    expect(await h.services.dashboard.open(ownerSession.sessionId)).toEqual({ ok: false, reason: 'invalid_session' });
  });
});
