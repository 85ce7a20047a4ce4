import { describe, expect, it } from 'vitest';
import { NUMBERED_CHOICE_LIFETIME_MS } from '../../../src/services/actions.js';
import { useServices } from '../../support/services.js';

describe('one-time action cards', () => {
  const h = useServices('actions');

  it('twenty concurrent presses of one card: exactly one runs, the rest hear "already done" with the outcome', async () => {
    const [ref] = await h.services.actions.register('telegram:1', ['/visit ABC234', '/redeem ZZZZZZZZ'], false);
    const presses = await Promise.all(Array.from({ length: 20 }, () => h.services.actions.press('telegram:1', ref!)));
    const winners = presses.filter((p) => p.ok);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ ok: true, action: '/visit ABC234' });
    expect(presses.filter((p) => !p.ok && p.reason === 'already_done')).toHaveLength(19);

    if (!winners[0]?.ok) throw new Error('unreachable');
    await h.services.actions.recordOutcome(winners[0].token, 'Visit recorded for An');
    // Every button of the card is spent with it, and the answer says what was done.
    const sameCardOther = `${ref!.split('.')[0]}.1`;
    expect(await h.services.actions.press('telegram:1', sameCardOther)).toMatchObject({
      ok: false,
      reason: 'already_done',
      outcome: 'Visit recorded for An',
    });
  });

  it("someone else's, guessed and malformed references do nothing and leave the card usable", async () => {
    const [ref] = await h.services.actions.register('telegram:2', ['/lang en'], false);
    expect(await h.services.actions.press('telegram:3', ref!)).toEqual({ ok: false, reason: 'unknown' });
    expect(await h.services.actions.press('telegram:2', 'ABCDEFGHJKMNPQRS.0')).toEqual({ ok: false, reason: 'unknown' });
    expect(await h.services.actions.press('telegram:2', '/lang en')).toEqual({ ok: false, reason: 'unknown' });
    expect(await h.services.actions.press('telegram:2', ref!)).toMatchObject({ ok: true, action: '/lang en' });
  });

  it('numbered choices follow the last list of the chat, expire after 5 minutes, and are consumed when used', async () => {
    await h.services.actions.register('zalo:z1', ['/lang vi', '/lang en'], true);
    await h.services.actions.register('zalo:z1', ['/visit ABC234'], true);
    expect(await h.services.actions.pressNumber('zalo:z2', 1)).toBeUndefined();
    expect(await h.services.actions.pressNumber('zalo:z1', 2)).toEqual({ ok: false, reason: 'out_of_range', choices: 1 });
    h.clock.current = new Date(h.clock.current.getTime() + NUMBERED_CHOICE_LIFETIME_MS + 1);
    expect(await h.services.actions.pressNumber('zalo:z1', 1)).toEqual({ ok: false, reason: 'expired' });

    await h.services.actions.register('zalo:z1', ['/visit ABC234'], true);
    expect(await h.services.actions.pressNumber('zalo:z1', 1)).toMatchObject({ ok: true, action: '/visit ABC234' });
    expect(await h.services.actions.pressNumber('zalo:z1', 1)).toMatchObject({ ok: false, reason: 'already_done' });
  });
});
