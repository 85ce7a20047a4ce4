import { afterAll, describe, expect, it } from 'vitest';
import type { Agenda } from 'agenda';
import { createAgenda } from '../../src/jobs/agenda.js';
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
