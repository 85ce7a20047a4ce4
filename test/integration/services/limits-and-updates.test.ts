import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../src/db/connection.js';
import { createLogger } from '../../../src/logger.js';
import { createUpdateLedger } from '../../../src/services/updates.js';
import { useServices } from '../../support/services.js';

const LIMIT = { messages: 5, seconds: 3 };

describe('the shared flood limit, on the real server', () => {
  const h = useServices('limits');

  it('lets exactly 5 of 30 parallel messages through and answers exactly one as the first over', async () => {
    const at = new Date();
    const verdicts = await Promise.all(Array.from({ length: 30 }, () => h.services.limits.flood('telegram:900', at, LIMIT)));
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(5);
    expect(verdicts.filter((v) => v === 'first_over')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'over')).toHaveLength(24);
  });

  it('counts by send time: a new window opens 3 s after the first message, and people are counted apart', async () => {
    const t0 = new Date(h.clock.now().getTime() - 60_000);
    const later = (ms: number) => new Date(t0.getTime() + ms);
    for (let i = 0; i < 5; i++) expect(await h.services.limits.flood('zalo:a', later(i * 100), LIMIT)).toBe('ok');
    expect(await h.services.limits.flood('zalo:b', later(500), LIMIT)).toBe('ok');
    expect(await h.services.limits.flood('zalo:a', later(2900), LIMIT)).toBe('first_over');
    expect(await h.services.limits.flood('zalo:a', later(3000), LIMIT)).toBe('ok');
    // A send time from the future is taken as now: it cannot open a window ahead of time.
    expect(await h.services.limits.flood('zalo:c', new Date(h.clock.now().getTime() + 3600_000), LIMIT)).toBe('ok');
    expect(await h.db.models.RateSlot.findOne({ scope: 'flood:zalo:c' }).lean()).toMatchObject({ at: h.clock.now(), seq: 1001 });
  });

  it('reserves one send turn per second per chat, however many ask at once', async () => {
    const turns = await Promise.all(Array.from({ length: 10 }, () => h.services.limits.chatSlot('telegram', '901', 1000)));
    const sorted = [...turns].sort((a, b) => a - b);
    expect(new Set(turns).size).toBe(10);
    expect(sorted.slice(1).every((turn, i) => turn - sorted[i]! >= 1000)).toBe(true);
    expect(sorted[0]).toBeGreaterThanOrEqual(h.clock.now().getTime());
  });
});

describe('the update ledger', () => {
  const h = useServices('updates');
  const ledger = (processId: string) => createUpdateLedger({ models: h.db.models, logger: createLogger('silent'), now: h.clock.now }, { processId });

  it('handles an update once; a redelivery while it is in hand elsewhere is busy, not dropped or doubled', async () => {
    const a = ledger('a');
    const b = ledger('b');
    let release!: () => void;
    const handledByA = a.handleOnce('telegram:1', () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.handleOnce('telegram:1', () => Promise.resolve())).toBe('busy');
    release();
    expect(await handledByA).toBe('handled');
    expect(await b.handleOnce('telegram:1', () => Promise.resolve())).toBe('duplicate');
    expect(await h.db.models.ProcessedUpdate.findOne({ key: 'telegram:1' }).lean()).toMatchObject({ state: 'handled', by: 'a' });
  });

  it('releases the claim when handling failed, so the redelivery is handled', async () => {
    const a = ledger('a');
    await expect(a.handleOnce('zalo:m1', () => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    expect(await h.db.models.ProcessedUpdate.countDocuments({ key: 'zalo:m1' })).toBe(0);
    let runs = 0;
    expect(await ledger('b').handleOnce('zalo:m1', () => Promise.resolve(void runs++))).toBe('handled');
    expect(runs).toBe(1);
  });

  it('takes over a claim whose process died, once the lease ran out', async () => {
    await h.db.models.ProcessedUpdate.create({
      key: 'telegram:2',
      state: 'handling',
      by: 'gone',
      processedAt: new Date(h.clock.now().getTime() - 120_000),
    });
    expect(await ledger('b').handleOnce('telegram:2', () => Promise.resolve())).toBe('handled');
  });
});

describe('isDatabaseUnavailable', () => {
  it('tells an unreachable database (also wrapped) from other errors', () => {
    const selection = Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' });
    expect(isDatabaseUnavailable(selection)).toBe(true);
    expect(isDatabaseUnavailable({ name: 'BotError', error: selection })).toBe(true);
    expect(
      isDatabaseUnavailable(Object.assign(new Error('Operation `customers.findOne()` buffering timed out after 10000ms'), { name: 'MongooseError' })),
    ).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('E11000 duplicate key'), { name: 'MongoServerError', code: 11000 }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});
