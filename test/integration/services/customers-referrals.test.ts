import type { Services } from '../../../src/services/index.js';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { createLinkOpenBuffer } from '../../../src/services/link-open-buffer.js';
import { useServices } from '../../support/services.js';

/** The name staff find for a code or phone, or undefined. */
async function nameFound(services: Services, query: string): Promise<string | undefined> {
  const found = await services.customers.lookup(query);
  return found.ok ? found.customer.name : undefined;
}

describe('join and attribution', () => {
  const h = useServices('referrals');

  it('creates one customer per identity with a personal code, and finds it again', async () => {
    const first = await h.join(1001, 'An');
    expect(first.created).toBe(true);
    expect(first.customer.code).toMatch(/^[A-HJ-KM-NP-Z2-9]{6}$/);
    expect(first.customer.locale).toBe('vi');
    const again = await h.join(1001, 'An');
    expect(again.created).toBe(false);
    expect(String(again.customer._id)).toBe(String(first.customer._id));
    expect(await h.db.models.Customer.countDocuments({})).toBe(1);
  });

  it('attributes a newcomer to the referrer whose code they bring, and tells the referrer', async () => {
    const { customer: a } = await h.join(1101, 'Anh');
    const { customer: b } = await h.join(1102, 'Bình');
    const result = await h.services.referrals.attribute(b._id, a.code.toLowerCase(), 'telegram');
    expect(result).toMatchObject({ ok: true, duplicate: false, referrer: { name: 'Anh' } });
    const referral = await h.db.models.Referral.findOne({ friendId: b._id }).lean();
    expect(referral).toMatchObject({ status: 'joined', via: 'telegram', code: a.code });
    expect(String(referral?.referrerId)).toBe(String(a._id));
    const notice = await h.db.models.Notification.findOne({ key: `friend_joined:${String(b._id)}` }).lean();
    expect(notice).toMatchObject({ type: 'friend_joined', status: 'pending', data: { friendName: 'Bình' } });
    expect(String(notice?.customerId)).toBe(String(a._id));

    const repeat = await h.services.referrals.attribute(b._id, a.code, 'telegram');
    expect(repeat).toMatchObject({ ok: true, duplicate: true });
    expect(await h.db.models.Referral.countDocuments({ friendId: b._id })).toBe(1);
  });

  it('refuses an unknown code, an own code, a second referrer and an existing customer, changing nothing', async () => {
    const { customer: a } = await h.join(1201, 'Anh');
    const { customer: c } = await h.join(1202, 'Chi');
    const { customer: d } = await h.join(1203, 'Dũng');
    expect(await h.services.referrals.attribute(d._id, 'ZZZZZZ', 'telegram')).toEqual({ ok: false, reason: 'unknown_code' });
    expect(await h.services.referrals.attribute(d._id, 'not a code!', 'telegram')).toEqual({ ok: false, reason: 'unknown_code' });
    expect(await h.services.referrals.attribute(a._id, a.code, 'telegram')).toEqual({ ok: false, reason: 'own_code' });

    await h.services.referrals.attribute(d._id, a.code, 'zalo');
    expect(await h.services.referrals.attribute(d._id, c.code, 'zalo')).toEqual({
      ok: false,
      reason: 'already_referred',
      referrerName: 'Anh',
    });

    const staff = await h.staff(1204, 'Staff');
    await h.services.visits.confirmFirstVisit(staff, c.code);
    const { customer: e } = await h.join(1205, 'Em');
    expect(await h.services.referrals.attribute(c._id, e.code, 'telegram')).toEqual({ ok: false, reason: 'already_customer' });
    expect(await h.db.models.Referral.countDocuments({ friendId: { $in: [a._id, c._id] } })).toBe(0);
    expect(String((await h.db.models.Referral.findOne({ friendId: d._id }).lean())?.referrerId)).toBe(String(a._id));
  });

  it('two processes writing the same visitor, code and day in their batches at once store one open', async () => {
    const { customer: a } = await h.join(1311, 'An');
    const open = { key: `${a.code}:day:visitor-hash`, code: a.code, referrerId: a._id, via: 'link', at: new Date(), atDay: '2026-05-01' };
    const buffers = [1, 2, 3].map(() => createLinkOpenBuffer({ models: h.db.models, logger: createLogger('silent') }));
    for (const buffer of buffers) buffer.add(open);
    await Promise.all(buffers.map((buffer) => buffer.flush()));
    expect(await h.db.models.LinkOpen.countDocuments({ referrerId: a._id })).toBe(1);
  });

  it('counts link opens for known codes only, once per visitor, code and business day, storing no raw visitor', async () => {
    const { customer: a } = await h.join(1301, 'Anh');
    const { customer: b } = await h.join(1302, 'Bình');
    const visitor = 'web:198.51.100.7:Mozilla/5.0';
    expect(await h.services.referrals.recordLinkOpen(a.code, 'link', visitor)).toMatchObject({ ok: true, referrer: { name: 'Anh' } });
    expect(await h.services.referrals.recordLinkOpen('ZZZZZZ', 'link', visitor)).toEqual({ ok: false, reason: 'unknown_code' });
    // Reloads (also concurrent ones) count once; another visitor, or the same one on another code, counts.
    await Promise.all([1, 2, 3].map(() => h.services.referrals.recordLinkOpen(a.code.toLowerCase(), 'link', visitor)));
    await h.services.referrals.recordLinkOpen(a.code, 'link', 'web:198.51.100.8:Mozilla/5.0');
    await h.services.referrals.recordLinkOpen(b.code, 'link', visitor);
    await h.services.referrals.recordLinkOpen(a.code, 'telegram', 'telegram:1399');
    // Written in batches: nothing yet, then all at once; a repeat in a later batch still counts once.
    expect(await h.db.models.LinkOpen.countDocuments({ referrerId: a._id })).toBe(0);
    await h.services.referrals.flushLinkOpens();
    await h.services.referrals.recordLinkOpen(a.code, 'link', visitor);
    await h.services.referrals.flushLinkOpens();
    expect(await h.db.models.LinkOpen.countDocuments({ referrerId: a._id })).toBe(3);
    expect(await h.db.models.LinkOpen.countDocuments({ referrerId: b._id })).toBe(1);
    // The next business day the same visitor counts again.
    h.clock.advanceDays(1);
    await h.services.referrals.recordLinkOpen(a.code, 'link', visitor);
    await h.services.referrals.flushLinkOpens();
    expect(await h.db.models.LinkOpen.countDocuments({ referrerId: a._id })).toBe(4);

    const stored = JSON.stringify(await h.db.models.LinkOpen.find({}).lean());
    expect(stored).not.toContain('198.51.100');
    expect(stored).not.toContain('1399');
    const salt = await h.db.models.Setting.findOne({ key: 'visitor_salt' }).lean();
    expect(salt?.value).toMatch(/^[\w-]{43}$/);
    expect(stored).not.toContain(salt!.value);
  });

  it('stores typed numbers unverified, lets the verified owner take a number, and finds the right holder', async () => {
    const { customer: a } = await h.join(1401, 'Anh');
    const { customer: b } = await h.join(1402, 'Bình');
    const { customer: c } = await h.join(1403, 'Chủ số');
    expect(await h.services.customers.setPhone(a._id, '0912 345 678')).toEqual({ ok: true, phone: '+84912345678', verified: false });
    expect(await nameFound(h.services, '84912345678')).toBe('Anh');
    // A second typist gets the same answer; a number two people typed finds nobody for sure.
    expect(await h.services.customers.setPhone(b._id, '+84 912-345-678')).toEqual({ ok: true, phone: '+84912345678', verified: false });
    expect(await h.services.customers.lookup('0912345678')).toEqual({ ok: false, reason: 'ambiguous_phone' });
    expect(await h.services.customers.setPhone(b._id, '12345')).toEqual({ ok: false, reason: 'invalid_phone' });

    expect(await h.services.customers.setPhone(c._id, '0912345678', { verified: true })).toEqual({ ok: true, phone: '+84912345678', verified: true });
    expect(await nameFound(h.services, '0912345678')).toBe('Chủ số');
    expect((await h.services.customers.getById(a._id))?.phone).toBeUndefined();
    expect((await h.services.customers.getById(b._id))?.phone).toBeUndefined();
    const notices = await h.db.models.Notification.find({ type: 'phone_removed' }).lean();
    expect(notices.map((n) => String(n.customerId)).sort()).toEqual([String(a._id), String(b._id)].sort());
    const history = await h.db.models.PhoneHistory.find({ phone: '+84912345678' }).lean();
    expect(history.map((e) => [e.customerId.equals(c._id) ? 'c' : e.customerId.equals(a._id) ? 'a' : 'b', e.verified]).sort()).toEqual([
      ['a', false],
      ['b', false],
      ['c', true],
    ]);

    // Typing it again changes nothing for the verified owner; the owner moving on frees the number.
    expect(await h.services.customers.setPhone(a._id, '0912345678')).toEqual({ ok: true, phone: '+84912345678', verified: false });
    expect(await nameFound(h.services, '0912345678')).toBe('Chủ số');
    await h.services.customers.setPhone(c._id, '0987 654 321', { verified: true });
    expect(await nameFound(h.services, '0912345678')).toBe('Anh');
    expect(await h.db.models.PhoneHistory.countDocuments({ customerId: c._id })).toBe(2);
  });

  it('flags a referrer with more joins in one day than the rules allow', async () => {
    const { customer: a } = await h.join(1501, 'Anh');
    for (let i = 0; i < h.program.fraud.maxJoinsPerReferrerPerDay + 1; i++) {
      const { customer: friend } = await h.join(1510 + i, `Bạn ${i}`);
      await h.services.referrals.attribute(friend._id, a.code, 'link');
    }
    const flags = await h.db.models.FraudFlag.find({ customerId: a._id, rule: 'many_joins_in_a_day' }).lean();
    expect(flags).toHaveLength(1);
  });

  it('an app-linking code works once and for 15 minutes only, and links only on yes', async () => {
    const { customer: telegram } = await h.join(1901, 'Lam');
    const zalo = await h.join('z1901', 'Lam');
    const zaloActor = { customerId: zalo.customer._id, identity: 'zalo:z1901' };
    const telegramActor = { customerId: telegram._id, identity: 'telegram:1901' };
    const late = (await h.services.identityLink.overview(zaloActor)).code!.code;
    h.clock.current = new Date(h.clock.current.getTime() + 16 * 60_000);
    expect(await h.services.identityLink.requestLink(telegramActor, late)).toEqual({ ok: false, reason: 'invalid_code' });

    const fresh = (await h.services.identityLink.overview(zaloActor)).code!.code;
    const request = await h.services.identityLink.requestLink(telegramActor, fresh.toLowerCase());
    expect(request).toMatchObject({ ok: true, app: 'zalo', name: 'Lam' });
    expect((await h.services.customers.findByIdentity('zalo:z1901'))?._id.equals(zalo.customer._id)).toBe(true);
    const other = await h.join(1902, 'Khác');
    expect(await h.services.identityLink.requestLink({ customerId: other.customer._id, identity: 'telegram:1902' }, fresh)).toEqual({
      ok: false,
      reason: 'invalid_code',
    });

    const requestId = request.ok ? request.requestId : '';
    expect(await h.services.identityLink.decide({ customerId: other.customer._id, identity: 'telegram:1902' }, requestId, true)).toEqual({
      ok: false,
      reason: 'invalid_request',
    });
    expect(await h.services.identityLink.decide(telegramActor, requestId, true)).toMatchObject({ ok: true, outcome: 'linked' });
    expect((await h.services.customers.findByIdentity('zalo:z1901'))?._id.equals(telegram._id)).toBe(true);
    expect(await h.db.models.Customer.exists({ _id: zalo.customer._id })).toBeNull();
    expect(await h.services.identityLink.decide(telegramActor, requestId, false)).toMatchObject({
      ok: false,
      reason: 'already_decided',
      outcome: 'linked',
    });
  });

  it('racing yes presses on one request link once; the others answer already done', async () => {
    const { customer: telegram } = await h.join(1951, 'Tú');
    const zalo = await h.join('z1951', 'Tú');
    const code = (await h.services.identityLink.overview({ customerId: zalo.customer._id, identity: 'zalo:z1951' })).code!.code;
    const actor = { customerId: telegram._id, identity: 'telegram:1951' };
    const request = await h.services.identityLink.requestLink(actor, code);
    const requestId = request.ok ? request.requestId : '';
    const results = await Promise.all(Array.from({ length: 6 }, () => h.services.identityLink.decide(actor, requestId, true)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'already_decided')).toHaveLength(5);
    expect(await h.db.models.AuditLog.countDocuments({ action: 'connect_link', actorId: telegram._id })).toBe(1);
    expect(await h.db.models.Notification.countDocuments({ type: 'app_linked', customerId: telegram._id })).toBe(1);
    expect(await h.db.models.ChannelIdentity.countDocuments({ customerId: telegram._id })).toBe(2);
  });

  it('a name stored before names were cleaned is cleaned the next time its person writes', async () => {
    const { customer } = await h.join(1971, 'Vy');
    // As an older release stored it, verbatim.
    await h.db.models.Customer.updateOne({ _id: customer._id }, { $set: { name: 'Vy Win 1tr: http://evil.example' } });
    const { customer: again } = await h.join(1971, 'Vy');
    expect(again.name).toBe('Vy Win 1tr');
    expect((await h.db.models.Customer.findById(customer._id).lean())?.name).toBe('Vy Win 1tr');
  });

  it('a yes cut off before it was carried out (a crash, the database away) is finished by the next press, once', async () => {
    const { customer: telegram } = await h.join(1955, 'Lan');
    const zalo = await h.join('z1955', 'Lan');
    const code = (await h.services.identityLink.overview({ customerId: zalo.customer._id, identity: 'zalo:z1955' })).code!.code;
    const actor = { customerId: telegram._id, identity: 'telegram:1955' };
    const request = await h.services.identityLink.requestLink(actor, code);
    const requestId = request.ok ? request.requestId : '';
    // The process took the decision and died before moving the chat.
    await h.db.models.Claim.create({ key: `connect_decision:${requestId}`, by: 'yes', at: h.clock.now() });
    expect(await h.services.identityLink.decide(actor, requestId, true)).toMatchObject({ ok: false, reason: 'already_decided' });
    expect(await h.db.models.ChannelIdentity.countDocuments({ customerId: telegram._id })).toBe(1);

    h.clock.current = new Date(h.clock.current.getTime() + 2 * 60_000);
    expect(await h.services.identityLink.decide(actor, requestId, true)).toMatchObject({ ok: true, outcome: 'linked' });
    expect(await h.db.models.ChannelIdentity.countDocuments({ customerId: telegram._id })).toBe(2);
    expect(await h.services.identityLink.decide(actor, requestId, true)).toMatchObject({ ok: false, reason: 'already_decided', outcome: 'linked' });
    expect(await h.db.models.Notification.countDocuments({ type: 'app_linked', customerId: telegram._id })).toBe(1);
  });

  it('two Zalo chats confirmed at the same moment never both join one account', async () => {
    const { customer: telegram } = await h.join(1961, 'Nga');
    const actor = { customerId: telegram._id, identity: 'telegram:1961' };
    const requests = [];
    for (const id of ['z1961a', 'z1961b']) {
      const zalo = await h.join(id, id);
      const code = (await h.services.identityLink.overview({ customerId: zalo.customer._id, identity: `zalo:${id}` })).code!.code;
      const request = await h.services.identityLink.requestLink(actor, code);
      requests.push(request.ok ? request.requestId : '');
    }
    const results = await Promise.all(requests.map((id) => h.services.identityLink.decide(actor, id, true)));
    const linked = results.filter((r) => r.ok).length;
    expect(linked).toBeLessThanOrEqual(1);
    expect(await h.db.models.ChannelIdentity.countDocuments({ customerId: telegram._id, channel: 'zalo' })).toBe(linked);
    expect(await h.db.models.ChannelIdentity.countDocuments({ identity: /^zalo:z1961/ })).toBe(2);
  });
});
