import { describe, expect, it } from 'vitest';
import { useServices } from '../../support/services.js';

describe('tiers by stable id', () => {
  const h = useServices('tier_ids');

  it('moves records that name a tier by its old name to its id, and ranks follow the tiers order', async () => {
    const { customer: lan } = await h.join(7101, 'Lan');
    const { customer: mai } = await h.join(7102, 'Mai');
    const { customer: hoa } = await h.join(7103, 'Hoa');
    const m = h.db.models;
    // As stored before tier ids: the English name, and a rank from the list of the time.
    await m.Customer.updateOne({ _id: lan._id }, { $set: { tier: 'Silver', tierRank: 2 } });
    await m.Customer.updateOne({ _id: mai._id }, { $set: { tier: 'Vàng', tierRank: 3 } });
    expect(await h.services.points.alignTiers()).toBe(2);
    expect(await m.Customer.findById(lan._id).lean()).toMatchObject({ tier: 'silver', tierRank: 2 });
    expect(await m.Customer.findById(mai._id).lean()).toMatchObject({ tier: 'gold', tierRank: 3 });
    expect((await m.Customer.findById(hoa._id).lean())?.tier).toBeUndefined();
    // Nothing left to move: a second run changes nothing.
    expect(await h.services.points.alignTiers()).toBe(0);

    // A tier added below Silver, and Silver renamed: Lan keeps her tier, which is now the third.
    h.program.tiers.splice(1, 0, { id: 'bronze', name: { vi: 'Đồng', en: 'Bronze' }, minPoints: 300, perk: { vi: 'Quà nhỏ', en: 'A small gift' } });
    h.program.tiers[2]!.name = { vi: 'Bạc mới', en: 'New Silver' };
    await h.services.points.alignTiers();
    expect(await m.Customer.findById(lan._id).lean()).toMatchObject({ tier: 'silver', tierRank: 3 });
    expect(await m.Customer.findById(mai._id).lean()).toMatchObject({ tier: 'gold', tierRank: 4 });
  });
});
