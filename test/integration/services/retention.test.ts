import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { pruneAll } from '../../../src/jobs/maintenance.js';
import { dayKey } from '../../../src/domain/schedule.js';
import { reportParts } from '../../support/report-figures.js';
import { useServices } from '../../support/services.js';

const zone = 'Asia/Ho_Chi_Minh';
const local = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const ms = (at: Date, delta: number) => new Date(at.getTime() + delta);

/**
 * The clock reads 2026-06-01 10:00 in Hồ Chí Minh City. With the default periods (180 days for
 * link opens and notifications, 730 for the audit log), the first instants kept are
 * 2025-12-03 00:00 and 2024-06-01 00:00 local time.
 */
describe('retention: the maintenance job removes what is due and nothing else, and the reports stay right', () => {
  const h = useServices('retention');
  const linkCutoff = local('2025-12-03T00:00:00');
  const auditCutoff = local('2024-06-01T00:00:00');

  /** Report figures built like the services' own, over the same database. */
  const reportFigures = () => reportParts(h, zone).figures;

  async function seed() {
    const { models } = h.db;
    const referrerId = new Types.ObjectId();
    const customerId = new Types.ObjectId();
    await models.Customer.collection.insertMany([
      { _id: referrerId, code: 'REFAAA', locale: 'vi', createdAt: local('2025-10-01T09:00:00'), createdDay: '2025-10-01' },
      { _id: customerId, code: 'FRNDBB', locale: 'vi', createdAt: local('2025-11-20T09:00:00'), createdDay: '2025-11-20' },
    ]);
    const open = (at: Date, n: number) => ({
      key: `REFAAA:${at.toISOString()}:${n}`,
      code: 'REFAAA',
      referrerId,
      via: 'link',
      at,
      atDay: dayKey(at, zone),
    });
    await models.LinkOpen.collection.insertMany([
      open(local('2025-11-20T10:00:00'), 1),
      open(local('2025-11-20T11:00:00'), 2),
      open(local('2025-11-21T08:00:00'), 3),
      // The last instant of the last day due, and the first instant of the first day kept.
      open(ms(linkCutoff, -1), 4),
      open(linkCutoff, 5),
      open(local('2026-05-30T12:00:00'), 6),
    ]);
    const note = (key: string, status: string, created: Date, updated: Date, data: Record<string, unknown> = { tier: 'member' }) => ({
      key,
      type: 'tier_upgraded',
      customerId,
      data,
      status,
      attempts: 1,
      nextAttemptAt: created,
      createdAt: created,
      createdDay: dayKey(created, zone),
      updatedAt: updated,
      ...(status === 'undeliverable' ? { undeliverableDay: dayKey(updated, zone) } : {}),
    });
    const old = local('2025-11-20T12:00:00');
    await models.Notification.collection.insertMany([
      note('sent-old', 'sent', old, ms(old, 5000), { tier: 'silver', friendName: 'Hoa' }),
      note('lost-old', 'undeliverable', old, local('2025-11-21T12:00:00')),
      note('uncertain-old', 'uncertain', old, ms(old, 60_000)),
      note('sent-last-day', 'sent', ms(linkCutoff, -10_000), ms(linkCutoff, -1)),
      // Never removed while it may still go out, however old.
      note('pending-old', 'pending', old, old),
      note('sending-old', 'sending', old, old),
      note('sent-first-kept', 'sent', ms(linkCutoff, -10_000), linkCutoff),
    ]);
    const audit = (at: Date, action: string) => ({ kind: 'action', actorId: referrerId, action, outcome: 'ok', details: {}, at });
    await models.AuditLog.collection.insertMany([
      audit(local('2024-01-15T10:00:00'), 'very_old'),
      audit(ms(auditCutoff, -1), 'last_due'),
      audit(auditCutoff, 'first_kept'),
      audit(local('2026-05-31T10:00:00'), 'recent'),
    ]);
  }

  it('removes link opens, finished notifications and audit rows past their period; the cut-off is a day boundary', async () => {
    await seed();
    const { models } = h.db;
    const from = local('2025-11-01T00:00:00');
    const to = local('2026-01-01T00:00:00');
    const figures = reportFigures();
    const direct = await figures.getStatsDirect(from, to);
    // Only part of the range has rollups before the job runs: the job builds the rest itself.
    await figures.getStats(local('2025-11-20T00:00:00'), local('2025-11-21T00:00:00'));
    expect(direct.linksOpened).toBe(5);
    expect(direct.tierUpgrades).toBe(7);
    expect(direct.undeliverable).toBe(1);

    const result = await pruneAll(h.services, h.clock.now());
    expect(result).toMatchObject({ linkOpens: 4, notifications: 4, auditLog: 2 });

    const openKeys = (await models.LinkOpen.find({}).sort({ at: 1 }).lean()).map((o) => o.key?.split(':').pop());
    expect(openKeys).toEqual(['5', '6']);
    const notes = (await models.Notification.find({}).sort({ key: 1 }).lean()).map((n) => n.key);
    expect(notes).toEqual(['pending-old', 'sending-old', 'sent-first-kept']);
    const audits = (await models.AuditLog.find({}).sort({ at: 1 }).lean()).map((a) => a.action);
    expect(audits).toEqual(['first_kept', 'recent']);
    // Customers are not the retention's business (the inactive-customers policy decides).
    expect(await models.Customer.countDocuments({})).toBe(2);

    // The reports of the old period are what they were, from the rollups sealed before the removal.
    const after = await reportFigures().getStats(from, to);
    expect(after).toEqual(direct);
  });

  it('a day whose records are gone is never counted again from what is left: not after a version change, not when marked stale', async () => {
    const { models } = h.db;
    const from = local('2025-11-01T00:00:00');
    const to = local('2026-01-01T00:00:00');
    const before = await reportFigures().getStats(from, to);
    // What a new ROLLUP_VERSION looks like to the stored days, and a correction touching an old day.
    await models.DayRollup.updateMany({}, { $set: { version: 1 } });
    await models.StaleDay.create({ start: local('2025-11-20T00:00:00'), at: h.clock.now() });
    const rebuilt = await reportFigures().getStats(from, to);
    expect(rebuilt).toEqual(before);
    expect(rebuilt.linksOpened).toBe(5);
    expect(await models.StaleDay.countDocuments({})).toBe(0);
  });

  it('a second run the same day finds nothing due, and the next day only that day', async () => {
    expect(await h.services.retention.apply(h.clock.now())).toEqual({ linkOpens: 0, notifications: 0, auditLog: 0 });
    const next = ms(h.clock.now(), 24 * 3600_000);
    // The day after, the open at the old first instant kept is due too.
    expect((await h.services.retention.apply(next)).linkOpens).toBe(1);
  });
});

describe('the audit log never keeps a phone number', () => {
  const h = useServices('audit-phones');

  it('masks numbers staff typed (the lookup and a free-text reason) in new rows', async () => {
    const owner = await h.staff(9001, 'Chủ tiệm', 'owner');
    const { customer } = await h.join(9002, 'Nguyễn Thị Hoa');
    await h.services.customers.setPhone(customer._id, '0912345678', { verified: true });
    const adjusted = await h.services.adjustments.adjustPoints(owner, '0912 345 678', '+50', 'khách đổi số sang 0987-654-321', 'req-1');
    expect(adjusted.ok).toBe(true);
    await h.services.adjustments.adjustPoints(owner, '0900 000 111', '+50', 'không có', 'req-2');
    const rows = await h.db.models.AuditLog.find({ action: 'adjust_points' }).sort({ at: 1 }).lean();
    const stored = JSON.stringify(rows);
    for (const digits of ['912345678', '987654321', '900000111', '0912 345 678', '0987-654-321', '0900 000 111'])
      expect(stored).not.toContain(digits);
    expect(rows.map((row) => row.details as unknown)).toEqual([
      expect.objectContaining({ reason: 'khách đổi số sang •••• ••• 321' }),
      expect.objectContaining({ query: '•••• ••• 111' }),
    ]);
  });

  it('masks the rows written before, once', async () => {
    const { models } = h.db;
    const flagId = new Types.ObjectId();
    const actorId = new Types.ObjectId();
    const row = (details: Record<string, unknown>) => ({
      kind: 'action',
      actorId,
      action: 'old',
      outcome: 'ok',
      details,
      at: new Date('2026-05-01T00:00:00Z'),
    });
    await models.AuditLog.collection.insertMany([
      row({ query: '0912 345 678' }),
      row({ reason: 'gọi +84 987 654 321', flagId }),
      row({ code: 'ABC234', amount: 350000 }),
    ]);
    expect(await h.services.retention.maskAuditPhones()).toBe(2);
    const old = await models.AuditLog.find({ action: 'old' }).sort({ _id: 1 }).lean();
    expect(old.map((r) => r.details as unknown)).toEqual([
      { query: '•••• ••• 678' },
      { reason: 'gọi •••• ••• 321', flagId },
      { code: 'ABC234', amount: 350000 },
    ]);
    await models.AuditLog.collection.insertOne(row({ query: '0912 345 678' }));
    // Done once: later rows are masked when written, so the whole log is not read again.
    expect(await h.services.retention.maskAuditPhones()).toBe(0);
  });
});

describe('a first run over a long history spreads over several nights', () => {
  const h = useServices('retention-long');

  it('seals and removes at most 62 days a run, oldest first, and the reports stay the same', async () => {
    const referrerId = new Types.ObjectId();
    const first = local('2025-08-01T12:00:00');
    const day = 24 * 3600_000;
    await h.db.models.LinkOpen.collection.insertMany(
      Array.from({ length: 70 }, (_, n) => {
        const at = ms(first, n * day);
        return { key: `L:${n}`, code: 'REFAAA', referrerId, via: 'qr', at, atDay: dayKey(at, zone) };
      }),
    );
    const { figures } = reportParts(h, zone);
    const from = local('2025-07-01T00:00:00');
    const to = local('2025-11-01T00:00:00');
    const direct = await figures.getStatsDirect(from, to);
    expect(direct.linksOpened).toBe(70);

    expect((await h.services.retention.apply(h.clock.now())).linkOpens).toBe(62);
    const left = await h.db.models.LinkOpen.find({}).sort({ at: 1 }).lean();
    expect(left.map((open) => open.key)).toEqual(Array.from({ length: 8 }, (_, n) => `L:${62 + n}`));
    expect((await h.services.retention.apply(h.clock.now())).linkOpens).toBe(8);
    expect(await figures.getStats(from, to)).toEqual(direct);
  });
});
