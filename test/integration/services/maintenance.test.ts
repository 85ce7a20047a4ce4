import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { pruneAll } from '../../../src/jobs/maintenance.js';
import { useServices } from '../../support/services.js';

describe('daily maintenance, through the services that own the data', () => {
  const h = useServices('maintenance');
  const now = new Date('2026-06-10T00:00:00Z');

  it('prunes what only mattered for a while and keeps what still counts', async () => {
    const { models } = h.db;
    await models.ProcessedUpdate.create([
      { key: 'telegram:old', processedAt: new Date('2026-06-01T00:00:00Z') },
      { key: 'telegram:new', processedAt: new Date('2026-06-09T00:00:00Z') },
    ]);
    await models.Setting.create([
      { key: 'staff_invite:OLD', value: 'a', expiresAt: new Date('2026-06-09T23:00:00Z') },
      { key: 'dashboard:live', value: 'b', expiresAt: new Date('2026-06-10T00:30:00Z') },
      { key: 'visitor_salt', value: 'c' },
    ]);
    const request = { kind: 'link' as const, customerId: new Types.ObjectId(), identity: 'zalo:1', fromCustomerId: new Types.ObjectId() };
    await models.LinkRequest.create([
      { ...request, expiresAt: new Date('2026-06-09T23:50:00Z') },
      { ...request, identity: 'zalo:2', expiresAt: new Date('2026-06-10T00:10:00Z') },
    ]);
    await models.ActionCard.create([
      { token: 'OLDCARDOLDCARD22', identity: 'telegram:1', actions: ['/help'], expiresAt: new Date('2026-06-08T00:00:00Z') },
      { token: 'NEWCARDNEWCARD22', identity: 'telegram:1', actions: ['/help'], expiresAt: new Date('2026-06-09T12:00:00Z') },
    ]);
    await models.Claim.create([{ key: 'action:OLDCARDOLDCARD22' }, { key: 'action:NEWCARDNEWCARD22' }, { key: 'redeem:keep' }]);
    await models.RateSlot.create([
      { key: 'flood:a:1', scope: 'flood:a', seq: 1, at: new Date('2026-06-08T00:00:00Z') },
      { key: 'flood:a:2', scope: 'flood:a', seq: 2, at: new Date('2026-06-09T12:00:00Z') },
    ]);

    expect(await pruneAll(h.services, now)).toEqual({
      updates: 1,
      tickets: 1,
      linkRequests: 1,
      actionCards: 1,
      rateSlots: 1,
      linkOpens: 0,
      notifications: 0,
      auditLog: 0,
      auditPhonesMasked: 0,
    });

    expect((await models.ProcessedUpdate.find({}).lean()).map((u) => u.key)).toEqual(['telegram:new']);
    expect((await models.Setting.find({}).sort({ key: 1 }).lean()).map((s) => s.key)).toEqual(['dashboard:live', 'visitor_salt']);
    expect((await models.LinkRequest.find({}).lean()).map((r) => r.identity)).toEqual(['zalo:2']);
    expect((await models.ActionCard.find({}).lean()).map((c) => c.token)).toEqual(['NEWCARDNEWCARD22']);
    // Only the claims of pruned cards go with them.
    expect((await models.Claim.find({}).sort({ key: 1 }).lean()).map((c) => c.key)).toEqual([
      'action:NEWCARDNEWCARD22',
      'audit-phones-masked:1',
      'redeem:keep',
    ]);
    expect((await models.RateSlot.find({}).lean()).map((s) => s.key)).toEqual(['flood:a:2']);
  });

  it('a second run finds nothing left to prune', async () => {
    expect(await pruneAll(h.services, now)).toEqual({
      updates: 0,
      tickets: 0,
      linkRequests: 0,
      actionCards: 0,
      rateSlots: 0,
      linkOpens: 0,
      notifications: 0,
      auditLog: 0,
      auditPhonesMasked: 0,
    });
  });
});
