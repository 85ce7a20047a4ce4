import { Types } from 'mongoose';
import { describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../../src/services/index.js';
import { RECORD_BATCH } from '../../../src/services/announcements.js';
import { useServices } from '../../support/services.js';

describe('announcements (service, real database)', () => {
  const h = useServices('announcements');
  let owner: Actor;
  let staff: Actor;
  const ids: Record<string, Types.ObjectId> = {};

  const person = async (id: number, name: string, offers: boolean) => {
    const { actor, customer } = await h.join(id, name);
    if (offers) await h.services.consent.setMarketing(actor, customer, true, 'ask', `ask:${id}`);
    ids[name] = customer._id;
    return { actor, customer };
  };
  const draft = { vi: 'Tết này giảm 20%', en: 'This Tết: 20% off' };
  const save = (actor: Actor, audience: Record<string, string>, id = h.services.announcements.newDraftId()) =>
    h.services.announcements.saveDraft(actor, id, { ...draft, ...audience });

  it('counts each audience: only customers who said yes, reachable, not erased, not staff', async () => {
    owner = await h.staff(900, 'Chủ', 'owner');
    staff = await h.staff(901, 'Nhân viên');
    // Staff and the owner said yes to offers too: they are still not an audience.
    for (const actor of [owner, staff]) {
      const me = (await h.db.models.Customer.findById(actor.customerId).lean())!;
      await h.services.consent.setMarketing(actor, me, true, 'ask', `ask:${String(actor.customerId)}`);
    }
    await person(1, 'An', true);
    await person(2, 'Bảo', true);
    await person(3, 'Chi', false);
    const dung = await person(4, 'Dũng', true);
    await h.services.consent.setMarketing(
      dung.actor,
      (await h.db.models.Customer.findById(dung.customer._id).lean()) as never,
      false,
      'stop',
      'stop:4',
    );
    const em = await person(5, 'Em', true);
    const erased = await h.services.erasure.erase(owner, String(em.customer._id), 'asked at the desk', { onRequest: true });
    expect(erased.ok).toBe(true);
    // A customer from the shop's list with no chat yet (said yes on paper): nowhere to send.
    await h.db.models.Customer.create({ code: 'NOCHAT1', name: 'Giang', locale: 'vi', marketingConsent: true });
    const gold = h.program.tiers.at(-1)!.id;
    await h.db.models.Customer.updateOne({ _id: ids['Bảo'] }, { $set: { tier: gold } });
    // An was last seen 45 days ago.
    await h.db.models.Customer.updateOne({ _id: ids['An'] }, { $set: { lastSeenDay: '2026-04-17' } });

    const count = async (audience: Record<string, string>) => {
      const saved = await save(owner, audience);
      if (!saved.ok) throw new Error(saved.reason);
      const found = await h.services.announcements.get(owner, saved.id);
      return found.ok ? found.count : -1;
    };
    expect(await count({ audience: 'everyone' })).toBe(2);
    expect(await count({ audience: 'tier', tier: gold })).toBe(1);
    expect(await count({ audience: 'tier', tier: h.program.tiers[0]!.id })).toBe(0);
    // A tier renamed in the rules keeps its customers: the audience is by the tier's id.
    const top = h.program.tiers.at(-1)!;
    const name = top.name;
    top.name = { vi: 'Kim cương', en: 'Diamond' };
    expect(await count({ audience: 'tier', tier: gold })).toBe(1);
    top.name = name;
    // The name is not the key any more.
    expect(await save(owner, { audience: 'tier', tier: name.en })).toMatchObject({ ok: false, errors: [{ field: 'tier' }] });
    expect(await count({ audience: 'inactive', days: '45' })).toBe(1);
    expect(await count({ audience: 'inactive', days: '46' })).toBe(0);
    expect(await count({ audience: 'inactive', days: '30' })).toBe(1);
  });

  it('refuses a bad form with every error and keeps nothing', async () => {
    const before = await h.db.models.Announcement.countDocuments();
    const result = await h.services.announcements.saveDraft(owner, h.services.announcements.newDraftId(), {
      vi: ' ',
      en: 'x'.repeat(1501),
      audience: 'inactive',
      days: '0',
    });
    expect(result).toEqual({
      ok: false,
      reason: 'invalid',
      errors: [
        { field: 'vi', reason: 'missing' },
        { field: 'en', reason: 'too_long' },
        { field: 'days', reason: 'bad_days' },
      ],
    });
    expect(await save(owner, { audience: 'tier', tier: 'Platinum' })).toMatchObject({ ok: false, errors: [{ field: 'tier' }] });
    expect(await h.db.models.Announcement.countDocuments()).toBe(before);
  });

  it('refuses staff every step, and audits the attempt', async () => {
    const id = h.services.announcements.newDraftId();
    expect(await h.services.announcements.saveDraft(staff, id, { ...draft, audience: 'everyone' })).toEqual({ ok: false, reason: 'not_allowed' });
    const saved = await save(owner, { audience: 'everyone' });
    const ownerDraft = saved.ok ? saved.id : '';
    expect(await h.services.announcements.send(staff, ownerDraft)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.announcements.sendTest(staff, ownerDraft)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.announcements.list(staff)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.services.announcements.get(staff, ownerDraft)).toEqual({ ok: false, reason: 'not_allowed' });
    expect(await h.db.models.Announcement.countDocuments({ _id: id })).toBe(0);
    expect((await h.db.models.Announcement.findById(ownerDraft).lean())?.status).toBe('draft');
    expect(await h.db.models.Notification.countDocuments({ type: { $in: ['announcement', 'announcement_test'] } })).toBe(0);
    const refused = await h.db.models.AuditLog.findOne({ kind: 'refused', actorId: staff.customerId }).lean();
    expect(refused?.actions).toMatchObject({ announcement_draft: 1, announcement_send: 1, announcement_test: 1, announcement_list: 1 });
  });

  it('sends a test to the owner only, once for the same texts', async () => {
    const saved = await save(owner, { audience: 'everyone' });
    const id = saved.ok ? saved.id : '';
    expect(await h.services.announcements.sendTest(owner, id)).toEqual({ ok: true });
    expect(await h.services.announcements.sendTest(owner, id)).toEqual({ ok: true });
    const tests = await h.db.models.Notification.find({ type: 'announcement_test' }).lean();
    expect(tests).toHaveLength(1);
    expect(String(tests[0]!.customerId)).toBe(String(owner.customerId));
    expect(tests[0]!.announcementId).toBeUndefined();
    expect((await h.db.models.Announcement.findById(id).lean())?.status).toBe('draft');
  });

  it('a double send sends once: one announcement, one message per person', async () => {
    const saved = await save(owner, { audience: 'everyone' });
    const id = saved.ok ? saved.id : '';
    const results = await Promise.all([h.services.announcements.send(owner, id), h.services.announcements.send(owner, id)]);
    expect(results.map((r) => r.ok && r.duplicate).sort()).toEqual([false, true]);
    expect(await h.services.announcements.send(owner, id)).toEqual({ ok: true, duplicate: true });
    await Promise.all([h.services.announcements.recordPending(), h.services.announcements.recordPending()]);
    await h.services.announcements.recordPending();
    const messages = await h.db.models.Notification.find({ announcementId: new Types.ObjectId(id) }).lean();
    expect(messages.map((m) => String(m.customerId)).sort()).toEqual([String(ids['An']), String(ids['Bảo'])].sort());
    expect(messages.every((m) => m.type === 'announcement' && m.status === 'pending')).toBe(true);
    expect(await h.db.models.AuditLog.countDocuments({ action: 'announcement_send', outcome: 'sent' })).toBe(1);
    // Sent: the draft no longer changes.
    expect(await h.services.announcements.saveDraft(owner, id, { ...draft, audience: 'everyone' })).toEqual({ ok: false, reason: 'already_sent' });
    const listed = await h.services.announcements.list(owner);
    expect(listed.ok && listed.items.map((item) => [String(item._id), item.figures.recipients, item.figures.waiting])).toEqual([[id, 2, 2]]);
  });

  it('records a big audience in batches, and a restart mid-way adds only what is missing', async () => {
    const total = RECORD_BATCH * 2 + 37;
    const many = Array.from({ length: total }, (_, i) => ({
      code: `BULK${String(i).padStart(5, '0')}`,
      name: `Khách ${i}`,
      locale: i % 2 ? 'en' : 'vi',
      role: 'customer',
      marketingConsent: true,
      lastIdentity: `telegram:${100_000 + i}`,
      tier: 'bulk-tier',
    }));
    await h.db.models.Customer.insertMany(many);
    h.program.tiers.push({ id: 'bulk-tier', name: { vi: 'Khách sỉ', en: 'Bulk' }, minPoints: 1_000_000, perk: { vi: '-', en: '-' } });
    try {
      const saved = await save(owner, { audience: 'tier', tier: 'bulk-tier' });
      const id = saved.ok ? saved.id : '';
      const inserts = vi.spyOn(h.db.models.Notification, 'insertMany');
      expect(await h.services.announcements.send(owner, id)).toEqual({ ok: true, duplicate: false });
      await h.services.announcements.recordPending();
      const sizes = inserts.mock.calls.map((call) => (call[0] as unknown[]).length);
      expect(sizes).toEqual([RECORD_BATCH, RECORD_BATCH, 37]);
      const _id = new Types.ObjectId(id);
      expect(await h.db.models.Notification.countDocuments({ announcementId: _id })).toBe(total);
      const recorded = (await h.db.models.Announcement.findById(_id).lean())!;
      expect(recorded).toMatchObject({ status: 'recorded', recipients: total });

      // As if the process died after the first batch: the job starts again from its mark.
      const firstBatchEnd = (
        await h.db.models.Customer.find({ tier: 'bulk-tier' }, { _id: 1 })
          .sort({ _id: 1 })
          .skip(RECORD_BATCH - 1)
          .limit(1)
          .lean()
      )[0]!._id;
      await h.db.models.Notification.deleteMany({ announcementId: _id, customerId: { $gt: firstBatchEnd } });
      await h.db.models.Announcement.updateOne({ _id }, { $set: { status: 'recording', recordedUpTo: firstBatchEnd }, $unset: { recipients: 1 } });
      // ...and one more message of the second batch had gone in before the crash.
      await h.db.models.Announcement.updateOne(
        { _id },
        { $set: { recordedUpTo: (await h.db.models.Customer.findOne({ tier: 'bulk-tier' }).sort({ _id: 1 }).lean())!._id } },
      );
      inserts.mockClear();
      await h.services.announcements.recordPending();
      expect(await h.db.models.Notification.countDocuments({ announcementId: _id })).toBe(total);
      expect((await h.db.models.Announcement.findById(_id).lean())!.recipients).toBe(total);
      inserts.mockRestore();
    } finally {
      h.program.tiers.pop();
    }
  });
});
