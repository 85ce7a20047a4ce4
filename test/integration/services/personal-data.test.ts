import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

/** One-time download links and the processing record, against the real database with a hand-moved clock. */
describe('personal data service', () => {
  const h = useServices('personal-data');
  const actorOf = async (id: number, name: string) => {
    const { customer } = await h.join(id, name);
    return { customerId: customer._id, identity: `telegram:${id}` };
  };
  const tickets = () => h.db.models.Setting.countDocuments({ key: /^download:/ });

  it('a download link opens once, for the person it was made for', async () => {
    const lan = await actorOf(501, 'Lan');
    const link = await h.services.personalData.issueDownload(lan, 'mydata');
    if (!link.ok) throw new Error('the link was refused');
    expect(link.minutes).toBe(60);
    const opened = await h.services.personalData.openDownload(link.token);
    expect(opened).toMatchObject({ ok: true, kind: 'mydata', locale: 'vi' });
    expect(opened.ok && String(opened.actor.customerId)).toBe(String(lan.customerId));
    expect(await h.services.personalData.openDownload(link.token)).toEqual({ ok: false, reason: 'used_or_expired' });
  });

  it('two openings at once: exactly one gets the file', async () => {
    const lan = await actorOf(501, 'Lan');
    const link = await h.services.personalData.issueDownload(lan, 'mydata');
    if (!link.ok) throw new Error('the link was refused');
    const results = await Promise.all(Array.from({ length: 8 }, () => h.services.personalData.openDownload(link.token)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('a link opened after its hour is refused', async () => {
    const lan = await actorOf(501, 'Lan');
    const link = await h.services.personalData.issueDownload(lan, 'mydata');
    if (!link.ok) throw new Error('the link was refused');
    h.clock.current = new Date(h.clock.current.getTime() + 61 * 60_000);
    expect(await h.services.personalData.openDownload(link.token)).toEqual({ ok: false, reason: 'used_or_expired' });
  });

  it('forged, malformed and non-string tokens are refused without a lookup that could match', async () => {
    for (const token of ['x'.repeat(32), '', '../../etc/passwd', { $gt: '' }, ['a'], 'a'.repeat(500)]) {
      expect(await h.services.personalData.openDownload(token)).toEqual({ ok: false, reason: 'used_or_expired' });
    }
  });

  it('only an owner gets the processing record or a link to it; a refusal is audited and issues nothing', async () => {
    const customer = await actorOf(502, 'Bình');
    const staff = await h.staff(503, 'Nguyễn Thị Mai');
    const owner = await h.staff(504, 'Trần Văn Hùng', 'owner');
    const before = await tickets();
    for (const actor of [customer, staff]) {
      expect(await h.services.personalData.issueDownload(actor, 'record')).toEqual({ ok: false, reason: 'not_allowed' });
      expect(await h.services.personalData.processingRecord(actor)).toEqual({ ok: false, reason: 'not_allowed' });
    }
    expect(await tickets()).toBe(before);
    expect(await h.db.models.AuditLog.countDocuments({ kind: 'refused', actorId: customer.customerId })).toBe(1);

    const record = await h.services.personalData.processingRecord(owner);
    if (!record.ok) throw new Error('the owner was refused');
    // Given names only.
    expect(record.facts).toMatchObject({ owners: ['Hùng'], staff: ['Mai'], databaseHost: undefined });

    // An owner who lost the role since the link was made: the link opens, the record does not.
    const link = await h.services.personalData.issueDownload(owner, 'record');
    if (!link.ok) throw new Error('the owner was refused');
    await h.db.models.Customer.updateOne({ _id: owner.customerId }, { $set: { role: 'customer' } });
    const opened = await h.services.personalData.openDownload(link.token);
    if (!opened.ok) throw new Error('the link did not open');
    expect(await h.services.personalData.processingRecord(opened.actor)).toEqual({ ok: false, reason: 'not_allowed' });
  });
});
