import { describe, expect, it } from 'vitest';
import type { Types } from 'mongoose';
import { useServices } from '../../support/services.js';

/** The points wallet on the real database: lifetime points vs balance, claims under races, retries and crashes. */
describe('points wallet', () => {
  const h = useServices('wallet');
  const m = () => h.db.models;
  let next = 7000;
  const customer = async (points: number) => {
    const { customer: c } = await h.join(next++, 'Khách');
    if (points) await h.services.points.add(c._id, points, 'bonus', `seed:${String(c._id)}`);
    return { customerId: c._id, identity: `telegram:${next - 1}` };
  };
  const stored = async (id: Types.ObjectId) => (await m().Customer.findById(id, { points: 1, balance: 1, tier: 1 }).lean())!;

  it('a claim spends the balance, never lifetime points or the tier, and issues a catalogue voucher', async () => {
    const actor = await customer(520);
    const result = await h.services.wallet.claim(actor, 1, 'update:1');
    expect(result).toMatchObject({ ok: true, item: { number: 1, price: 300 }, balance: 220, voucher: { cause: 'catalogue', status: 'active' } });
    expect(await stored(actor.customerId)).toMatchObject({ points: 520, balance: 220 });
    const spend = await m().PointsEntry.findOne({ customerId: actor.customerId, cause: 'claim' }).lean();
    expect(spend).toMatchObject({ delta: -300, earned: false });
    expect(result.ok && result.voucher.causeKey).toBe(spend!.causeKey);
    // A later visit's points count on both.
    await h.services.points.add(actor.customerId, 100, 'visit', `visit:${String(actor.customerId)}`);
    expect(await stored(actor.customerId)).toMatchObject({ points: 620, balance: 320 });
  });

  it('20 concurrent claims with points for exactly one: one spend, one voucher, the balance never below zero', async () => {
    const actor = await customer(500);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.services.wallet.claim(actor, 2, `update:race:${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(19).fill('not_enough_points'));
    expect(await m().PointsEntry.countDocuments({ customerId: actor.customerId, cause: 'claim' })).toBe(1);
    expect(await m().Voucher.countDocuments({ customerId: actor.customerId })).toBe(1);
    expect(await stored(actor.customerId)).toMatchObject({ points: 500, balance: 0 });
  });

  it('20 deliveries of one request (a redelivered update, a double-pressed card) spend once and answer with the same voucher', async () => {
    const actor = await customer(2000);
    const results = await Promise.all(Array.from({ length: 20 }, () => h.services.wallet.claim(actor, 3, 'card:SAMECARD')));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.ok && r.voucher.code)).size).toBe(1);
    expect(await m().PointsEntry.countDocuments({ customerId: actor.customerId, cause: 'claim' })).toBe(1);
    expect(await m().Voucher.countDocuments({ customerId: actor.customerId })).toBe(1);
    expect(await stored(actor.customerId)).toMatchObject({ points: 2000, balance: 1000 });
  });

  it('a claim that died after its spend gets its voucher on retry, once; a lease left by a dead spend is taken over', async () => {
    const actor = await customer(700);
    const causeKey = `claim:${String(actor.customerId)}:update:crash`;
    // The first try wrote its spend and died before the voucher, holding the wallet.
    await m().PointsEntry.create({ causeKey, customerId: actor.customerId, delta: -300, cause: 'claim', earned: false, at: h.clock.now() });
    await m().Claim.create({ key: `wallet:${String(actor.customerId)}`, by: 'claim:someone:dead', at: h.clock.now() });
    const retry = await h.services.wallet.claim(actor, 1, 'update:crash');
    expect(retry).toMatchObject({ ok: true, balance: 400 });
    expect(await m().Voucher.countDocuments({ customerId: actor.customerId })).toBe(1);
    // A new claim waits for the dead lease until it is old enough, then takes it.
    h.clock.current = new Date(h.clock.current.getTime() + 31_000);
    expect(await h.services.wallet.claim(actor, 1, 'update:after')).toMatchObject({ ok: true, balance: 100 });
    expect(await m().Claim.countDocuments({ key: `wallet:${String(actor.customerId)}` })).toBe(0);
    expect(await stored(actor.customerId)).toMatchObject({ points: 700, balance: 100 });
  });

  it('an unknown number or too few points changes nothing', async () => {
    const actor = await customer(250);
    expect(await h.services.wallet.claim(actor, 9, 'update:unknown')).toEqual({ ok: false, reason: 'unknown_item', numbers: [1, 2, 3] });
    expect(await h.services.wallet.claim(actor, 1, 'update:poor')).toMatchObject({ ok: false, reason: 'not_enough_points', balance: 250 });
    expect(await m().PointsEntry.countDocuments({ customerId: actor.customerId })).toBe(1);
    expect(await m().Voucher.countDocuments({ customerId: actor.customerId })).toBe(0);
    expect(await m().Claim.countDocuments({ key: `wallet:${String(actor.customerId)}` })).toBe(0);
    expect(await stored(actor.customerId)).toMatchObject({ points: 250, balance: 250 });
  });

  it('a customer from before the wallet (no balance, entries without `earned`) reads its points as balance, and gets it stored at the next change', async () => {
    const { customer: old } = await h.join(next++, 'Cũ');
    await m().PointsEntry.collection.insertOne({
      causeKey: `old:${String(old._id)}`,
      customerId: old._id,
      delta: 400,
      cause: 'visit',
      at: new Date(),
    });
    await m().Customer.collection.updateOne({ _id: old._id }, { $set: { points: 400, ledgerCount: 1 }, $unset: { balance: '' } });
    expect((await h.services.status.getCustomerStatus(old._id))?.balance).toBe(400);
    expect(await h.services.wallet.claim({ customerId: old._id, identity: 'x' }, 1, 'update:old')).toMatchObject({ ok: true, balance: 100 });
    expect(await stored(old._id)).toMatchObject({ points: 400, balance: 100 });
  });

  it("a visit's one message carries its receipt: points earned, balance, the next tier, and items it made affordable", async () => {
    const staff = await h.staff(next++, 'Lễ tân');
    const { customer: c } = await h.join(next++, 'Mai');
    await h.services.visits.confirmFirstVisit(staff, c.code);
    const first = await m().Notification.findOne({ customerId: c._id }).lean();
    expect(first).toMatchObject({ type: 'visit_receipt', data: { receipt: { earned: 100, balance: 100, nextTier: 'member', toNextTier: 100 } } });
    // 100 + 100 for 1.000.000 VND: Member, and the 300-point item is now affordable.
    await h.services.visits.recordVisit(staff, c.code, 1_000_000, 'update:v2');
    const second = await m().Notification.findOne({ customerId: c._id, type: 'tier_upgraded' }).lean();
    expect(second?.data).toMatchObject({
      tier: 'member',
      points: 300,
      receipt: { earned: 200, balance: 300, nextTier: 'silver', toNextTier: 200, unlocked: [1] },
    });
    expect(await m().Notification.countDocuments({ customerId: c._id })).toBe(2);
  });
});
