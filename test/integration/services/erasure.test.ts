import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';
import { describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../../src/services/index.js';
import { useServices, type ServiceHarness } from '../../support/services.js';

const NAME = 'Phương Lan';
const ZALO_NAME = 'Lan Zalo Chị';
const ZALO_CHAT = 'zalochatlan77ab';
const PHONE_FORMS = ['+84912345678', '0912345678', '912345678', '0912 345 678', '912 345 678'];

/** Every collection of the test database as text (binary image bytes left out). */
async function dumpAll(h: ServiceHarness): Promise<Record<string, string>> {
  const db = h.db.connection.db;
  if (!db) throw new Error('no database');
  const dump: Record<string, string> = {};
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).toArray();
    dump[name] = JSON.stringify(docs, (key, value: unknown) => (key === 'png' ? '<png>' : value));
  }
  return dump;
}

/** The collections that still contain `needle`, to show where personal data was left. */
const holding = (dump: Record<string, string>, needle: string) =>
  Object.entries(dump)
    .filter(([, text]) => text.toLowerCase().includes(needle.toLowerCase()))
    .map(([name]) => name);

/**
 * A customer with something in every collection that can hold personal data: referred by a
 * friend and referring one, two chats, phone, birthday, visits, points, an owner's adjustment
 * with free text, a member token, a Zalo QR image, buttons, messages due and sent.
 */
async function personWithHistory(h: ServiceHarness, base: number) {
  const { services, db } = h;
  const owner = await h.staff(base, 'Chủ Tiệm', 'owner');
  const staff = await h.staff(base + 1, 'Nhân Viên');
  const { customer: referrer } = await h.join(base + 2, 'Hoa Giới Thiệu');
  const joined = await h.join(base + 3, NAME);
  const person = joined.customer;
  const actor: Actor = joined.actor;
  await services.referrals.attribute(person._id, referrer.code, 'telegram');
  await db.models.ChannelIdentity.create({
    identity: `zalo:${ZALO_CHAT}`,
    customerId: person._id,
    channel: 'zalo',
    chatId: ZALO_CHAT,
    displayName: ZALO_NAME,
  });
  expect(await services.customers.setPhone(person._id, '0912 345 678', { verified: true })).toMatchObject({ ok: true });
  expect(await services.birthdays.set(person, '15/03/1990', `bd:${base}`)).toMatchObject({ ok: true });
  expect(await services.visits.confirmFirstVisit(staff, person.code, 300_000)).toMatchObject({ ok: true });
  expect(await services.visits.recordVisit(staff, '0912345678', 200_000, `v:${base}`)).toMatchObject({ ok: true });
  expect(await services.adjustments.adjustPoints(owner, person.code, '+10', `quà cho ${NAME}`, `adj:${base}`)).toMatchObject({ ok: true });
  // The person refers a friend in turn, through their link.
  const { customer: friend } = await h.join(base + 4, 'Bạn Của Lan');
  await services.referrals.recordLinkOpen(person.code, 'link', 'visitor-1');
  await services.referrals.flushLinkOpens();
  await services.referrals.attribute(friend._id, person.code, 'link');
  await services.memberCards.tokenFor(person._id);
  await services.qrImages.publish(`${ZALO_CHAT}:${createHash('sha256').update('png').digest('hex')}`, Buffer.from('png'));
  await services.actions.register(`telegram:${base + 3}`, ['/me'], false);
  await services.actions.register(`zalo:${ZALO_CHAT}`, ['/me', '/link'], true);
  const download = await services.personalData.issueDownload(actor, 'mydata');
  if (!download.ok) throw new Error('no download link');
  return { owner, staff, referrer, person, actor, friend, code: person.code, downloadToken: download.token };
}

describe('erasure of a person, through the services that own the data', () => {
  const h = useServices('erasure');

  it('leaves no personal field anywhere, keeps the accounts and the counts of others', async () => {
    const p = await personWithHistory(h, 7000);
    const { services, db } = h;
    // The friend's welcome is still due, and the referrer was told the friend's name.
    expect(await db.models.Notification.countDocuments({ customerId: p.person._id, status: 'pending' })).toBeGreaterThan(0);
    expect(await db.models.Notification.countDocuments({ 'data.friendName': NAME })).toBeGreaterThan(0);
    const before = await dumpAll(h);
    expect(holding(before, NAME).length).toBeGreaterThan(2);
    expect(holding(before, `telegram:7003`)).not.toEqual([]);
    const statsBefore = await services.reports.getPeriodStats(p.owner, 'today');
    const monthBefore = await services.reports.getPeriodStats(p.owner, '30d');
    const summaryBefore = await services.reports.getDailySummary(p.owner);
    const referrerBefore = await services.status.getCustomerStatus(p.referrer._id);
    const pointsBefore = (await db.models.Customer.findById(p.person._id).lean())?.points;
    expect(pointsBefore).toBeGreaterThan(0);
    const ledgerBefore = await db.models.PointsEntry.find({ customerId: p.person._id }).sort({ at: 1 }).lean();

    const asked = await services.erasure.ask(p.actor, p.person);
    if (!asked.ok) throw new Error('not asked');
    expect(await services.erasure.confirm(p.actor, asked.token)).toEqual({ ok: true, already: false });

    const after = await dumpAll(h);
    for (const needle of [NAME, ZALO_NAME, ZALO_CHAT, 'telegram:7003', p.code, ...PHONE_FORMS])
      expect([needle, holding(after, needle)]).toEqual([needle, []]);
    const erased = await db.models.Customer.findById(p.person._id).lean();
    expect(erased).toMatchObject({ erasure: 'done', name: '', role: 'customer', points: pointsBefore });
    for (const field of ['phone', 'birthDay', 'birthMonth', 'birthYear', 'birthdayKey', 'lastIdentity']) expect(erased).not.toHaveProperty(field);
    expect(erased?.erasedAt).toBeInstanceOf(Date);
    // Kept for the shop's accounts, under the same id.
    expect(await db.models.Visit.countDocuments({ customerId: p.person._id })).toBe(2);
    expect((await db.models.PointsEntry.find({ customerId: p.person._id }).sort({ at: 1 }).lean()).map((e) => e.delta)).toEqual(
      ledgerBefore.map((e) => e.delta),
    );
    expect(await db.models.Voucher.countDocuments({ customerId: p.person._id })).toBeGreaterThan(0);
    // Nothing still to be sent to them; the referrer's count, the friend's attribution and the reports are unchanged.
    expect(await db.models.Notification.countDocuments({ customerId: p.person._id, status: 'pending' })).toBe(0);
    expect(await services.status.getCustomerStatus(p.referrer._id)).toMatchObject({ referralsConfirmed: referrerBefore?.referralsConfirmed });
    expect(referrerBefore?.referralsConfirmed).toBe(1);
    expect(await db.models.Referral.countDocuments({ friendId: p.friend._id, referrerId: p.person._id })).toBe(1);
    expect(await services.reports.getPeriodStats(p.owner, 'today')).toEqual(statsBefore);
    expect(await services.reports.getPeriodStats(p.owner, '30d')).toEqual(monthBefore);
    expect(await services.reports.getDailySummary(p.owner)).toEqual(summaryBefore);
    // The old code and number find nobody; the chat is a stranger again.
    expect(await services.referrals.findReferrer(p.code)).toBeUndefined();
    expect(await services.customers.lookup(p.code)).toEqual({ ok: false, reason: 'not_found' });
    expect(await services.customers.lookup('0912345678')).toEqual({ ok: false, reason: 'not_found' });
    expect(await services.customers.findByIdentity('telegram:7003')).toBeUndefined();
    // A /mydata download link issued before no longer opens.
    expect(await services.personalData.openDownload(p.downloadToken)).toEqual({ ok: false, reason: 'used_or_expired' });
    expect(await db.models.Setting.countDocuments({ key: /^download:/ })).toBe(0);
    const again = await h.join(7003, 'Người Mới');
    expect(again.created).toBe(true);
    expect(String(again.customer._id)).not.toBe(String(p.person._id));
    // Audited once, with why and by whom.
    expect(await db.models.AuditLog.find({ action: 'erase_customer', targetId: p.person._id }).lean()).toMatchObject([
      { outcome: 'erased', details: { by: 'self', reason: 'self_request' } },
    ]);
    // The same confirmation again does nothing more.
    expect(await services.erasure.confirm(p.actor, asked.token)).toEqual({ ok: false, reason: 'stale' });
    expect(await services.erasure.erase(p.owner, p.person._id, 'again')).toEqual({ ok: true, already: true });
  });

  it('is finished by the next run after a crash half-way', async () => {
    const p = await personWithHistory(h, 7100);
    const { services, db } = h;
    const crash = vi.spyOn(db.models.Notification, 'find').mockImplementationOnce(() => {
      throw new Error('database went away');
    });
    await expect(services.erasure.erase(p.owner, p.person._id, 'asked at the counter')).rejects.toThrow('database went away');
    crash.mockRestore();
    const half = await db.models.Customer.findById(p.person._id).lean();
    expect(half).toMatchObject({ erasure: 'started', name: NAME });
    expect(half).not.toHaveProperty('erasedAt');

    expect(await services.erasure.sweepInactive()).toMatchObject({ finished: 1 });
    const after = await dumpAll(h);
    for (const needle of [NAME, ZALO_CHAT, 'telegram:7103', p.code, ...PHONE_FORMS]) expect([needle, holding(after, needle)]).toEqual([needle, []]);
    expect(await db.models.Customer.findById(p.person._id).lean()).toMatchObject({ erasure: 'done' });
    expect(await db.models.AuditLog.find({ action: 'erase_customer', targetId: p.person._id }).lean()).toMatchObject([
      { details: { by: 'owner', reason: 'asked at the counter' } },
    ]);
  });

  it("erases a customer from the shop's own list: the number leaves the import's keys, and the list does not bring them back", async () => {
    const { services, db } = h;
    const owner = await h.staff(7300, 'Chủ Nhập', 'owner');
    const row = { line: 2, name: 'Khách Trong Sổ', phone: '+84987654321', points: 120, visits: 4 };
    expect(await services.customerImport.importAll([row], 'vi')).toMatchObject({ created: 1 });
    const imported = (await services.customers.lookup('0987654321')) as { ok: true; customer: { _id: Types.ObjectId; points: number } };
    expect(await services.erasure.erase(owner, imported.customer._id, 'asked by phone')).toEqual({ ok: true, already: false });
    const after = await dumpAll(h);
    for (const needle of ['987654321', 'Khách Trong Sổ']) expect([needle, holding(after, needle)]).toEqual([needle, []]);
    expect(await db.models.PointsEntry.countDocuments({ customerId: imported.customer._id, cause: 'import' })).toBe(1);
    expect(await services.customerImport.importAll([row], 'vi')).toMatchObject({ created: 0, deleted: 1 });
    expect(await db.models.Customer.countDocuments({ name: 'Khách Trong Sổ' })).toBe(0);
  });

  it('refuses staff, the last owner, owners erasing owners or staff, and non-owners erasing others', async () => {
    const { services, db } = h;
    const owner = await h.staff(7200, 'Chủ');
    await db.models.Customer.updateOne({ _id: owner.customerId }, { $set: { role: 'owner' } });
    const staff = await h.staff(7201, 'Thu Ngân');
    const { customer, actor } = await h.join(7202, 'Khách');
    const ownerRecord = await services.customers.getById(owner.customerId);
    const staffRecord = await services.customers.getById(staff.customerId);
    if (!ownerRecord || !staffRecord) throw new Error('missing');
    // Another owner exists from the earlier tests: remove them so this one is the last.
    await db.models.Customer.updateMany({ role: 'owner', _id: { $ne: owner.customerId } }, { $set: { role: 'customer' } });
    expect(await services.erasure.ask(staff, staffRecord)).toEqual({ ok: false, reason: 'is_staff' });
    expect(await services.erasure.ask(owner, ownerRecord)).toEqual({ ok: false, reason: 'last_owner' });
    expect(await services.erasure.erase(owner, staff.customerId, 'x')).toEqual({ ok: false, reason: 'is_staff' });
    expect(await services.erasure.erase(owner, owner.customerId, 'x', { onRequest: true })).toEqual({ ok: false, reason: 'is_owner' });
    expect(await services.erasure.erase(staff, customer._id, 'x')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await services.erasure.erase(actor, staff.customerId, 'x')).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await services.erasure.erase(owner, customer._id, '   ')).toEqual({ ok: false, reason: 'missing_reason' });
    expect(await services.erasure.erase(owner, 'not-an-id', 'x')).toEqual({ ok: false, reason: 'not_found' });
    expect(
      await db.models.Customer.countDocuments({ erasure: { $exists: true }, _id: { $in: [owner.customerId, staff.customerId, customer._id] } }),
    ).toBe(0);
  });
});

describe('the inactive-customers policy', () => {
  const h = useServices('erasure-inactive', (p) => ({
    ...p,
    privacy: { ...p.privacy, retention: { ...p.privacy.retention, inactiveCustomers: { action: 'pseudonymise', afterMonths: 1, noticeDays: 10 } } },
  }));

  const record = (id: Types.ObjectId) => h.db.models.Customer.findById(id).lean();

  it('tells once, then erases who is still not seen, and nobody seen recently or again', async () => {
    const { services, db, clock } = h;
    const { customer: gone } = await h.join(8001, 'Vắng Mặt');
    const { customer: recent } = await h.join(8002, 'Mới Ghé');
    const { customer: back } = await h.join(8003, 'Quay Lại');
    const staff = await h.staff(8004, 'Nhân Viên');
    clock.advanceDays(20);
    await services.visits.confirmFirstVisit(staff, recent.code);
    clock.advanceDays(15);
    expect(await services.erasure.sweepInactive()).toEqual({ noticed: 2, erased: 0, finished: 0 });
    expect(await services.erasure.sweepInactive()).toEqual({ noticed: 0, erased: 0, finished: 0 });
    const notices = await db.models.Notification.find({ type: 'inactive_notice' }).lean();
    expect(notices.map((n) => String(n.customerId)).sort()).toEqual([String(gone._id), String(back._id)].sort());
    expect(notices[0]?.data).toEqual({ eraseOn: '2026-07-16' });
    // One of them writes again: the notice no longer applies.
    await h.join(8003, 'Quay Lại');
    clock.advanceDays(11);
    expect(await services.erasure.sweepInactive()).toEqual({ noticed: 0, erased: 1, finished: 0 });
    expect(await record(gone._id)).toMatchObject({ erasure: 'done', name: '' });
    expect(await db.models.AuditLog.findOne({ action: 'erase_customer', targetId: gone._id }).lean()).toMatchObject({
      details: { by: 'retention', reason: 'inactive' },
    });
    for (const kept of [recent, back]) {
      expect(await record(kept._id)).toMatchObject({ name: kept.name, code: kept.code });
      expect(await record(kept._id)).not.toHaveProperty('erasure');
    }
    expect(await record(staff.customerId)).not.toHaveProperty('erasure');
  });
});

describe('the inactive-customers policy set to keep', () => {
  const h = useServices('erasure-keep');

  it('tells and erases nobody', async () => {
    const { customer } = await h.join(9001, 'Khách Cũ');
    h.clock.advanceDays(3650);
    expect(await h.services.erasure.sweepInactive()).toEqual({ noticed: 0, erased: 0, finished: 0 });
    expect(await h.db.models.Customer.findById(customer._id).lean()).toMatchObject({ name: 'Khách Cũ', code: customer.code });
    expect(await h.db.models.Notification.countDocuments({ type: 'inactive_notice' })).toBe(0);
  });
});
