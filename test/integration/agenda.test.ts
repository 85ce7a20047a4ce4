import { afterAll, describe, expect, it } from 'vitest';
import type { Agenda } from 'agenda';
import { createAgenda } from '../../src/jobs/agenda.js';
import { pruneExpiredActionCards, pruneExpiredTickets, pruneProcessedUpdates } from '../../src/jobs/maintenance.js';
import { useTestDatabase } from '../support/database.js';

describe('Agenda on the real server', () => {
  const db = useTestDatabase('agenda');
  let agenda: Agenda | undefined;
  afterAll(async () => {
    await agenda?.stop(false);
  });

  // Agenda locks a due job with a guarded update, which FerretDB does not make atomic: two
  // pollers can both take one run. Every job of the app is idempotent by its own keys
  // (claims, cause keys; see the jobs' tests), so a doubled run repeats nothing.
  it('runs a scheduled job with its data and records it as finished', async () => {
    agenda = createAgenda(db.connection, { processEveryMs: 100 });
    const seen: unknown[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    agenda.define('greet', (job: { attrs: { data: unknown } }) => {
      seen.push(job.attrs.data);
      finished();
      return Promise.resolve();
    });
    await agenda.start();
    await agenda.schedule(new Date(Date.now() + 200), 'greet', { customer: 'An' });
    await done;
    await agenda.drain({ timeout: 5_000, closeConnection: false });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (const data of seen) expect(data).toEqual({ customer: 'An' });
    const stored = await db.connection.collection('agendaJobs').findOne({ name: 'greet' });
    expect(stored?.lastFinishedAt).toBeInstanceOf(Date);
  });
});

describe('maintenance', () => {
  const db = useTestDatabase('maintenance');

  it('prunes processed-update keys older than the retention and keeps recent ones', async () => {
    const now = new Date('2026-06-10T00:00:00Z');
    await db.models.ProcessedUpdate.create([
      { key: 'telegram:old', processedAt: new Date('2026-06-01T00:00:00Z') },
      { key: 'telegram:new', processedAt: new Date('2026-06-09T00:00:00Z') },
    ]);
    expect(await pruneProcessedUpdates(db.models, now)).toBe(1);
    expect((await db.models.ProcessedUpdate.find({}).lean()).map((u) => u.key)).toEqual(['telegram:new']);
  });

  it('deletes expired tickets and keeps live ones and the owner setup code', async () => {
    const now = new Date('2026-06-10T00:00:00Z');
    await db.models.Setting.create([
      { key: 'staff_invite:OLD', value: 'a', expiresAt: new Date('2026-06-09T23:00:00Z') },
      { key: 'dashboard:live', value: 'b', expiresAt: new Date('2026-06-10T00:30:00Z') },
      { key: 'owner_setup_code', value: 'ABCDEFGH' },
    ]);
    expect(await pruneExpiredTickets(db.models, now)).toBe(1);
    expect((await db.models.Setting.find({}).sort({ key: 1 }).lean()).map((s) => s.key)).toEqual(['dashboard:live', 'owner_setup_code']);
  });

  it('deletes action cards a day past their expiry with the claims of their presses, and keeps newer ones', async () => {
    const now = new Date('2026-06-10T00:00:00Z');
    await db.models.ActionCard.create([
      { token: 'OLDCARDOLDCARD22', identity: 'telegram:1', actions: ['/help'], expiresAt: new Date('2026-06-08T00:00:00Z') },
      { token: 'NEWCARDNEWCARD22', identity: 'telegram:1', actions: ['/help'], expiresAt: new Date('2026-06-09T12:00:00Z') },
    ]);
    await db.models.Claim.create([{ key: 'action:OLDCARDOLDCARD22' }, { key: 'action:NEWCARDNEWCARD22' }]);
    expect(await pruneExpiredActionCards(db.models, now)).toBe(1);
    expect((await db.models.ActionCard.find({}).lean()).map((c) => c.token)).toEqual(['NEWCARDNEWCARD22']);
    expect((await db.models.Claim.find({ key: /^action:/ }).lean()).map((c) => c.key)).toEqual(['action:NEWCARDNEWCARD22']);
  });
});
