import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';

describe('hostile: fraud review with numbered choices (Zalo)', () => {
  const h = useTelegramApp('hostile-zalo-review', { OWNER_IDS: 'zalo:z-owner' }, { zalo: true });

  it('shows one case per answer, so a number can only decide the case it was shown with', async () => {
    const owner = h.zalo.user('z-owner', 'Chủ tiệm');
    owner.send('help');
    await h.zalo.waitForMessages('z-owner', 1);
    const someone = await h.app.services.customers.join({ identity: 'zalo:z-someone', chatId: 'z-someone', displayName: 'Ai đó', locale: 'vi' });
    const older = await h.app.models.FraudFlag.create({
      key: 'review:older',
      rule: 'many_joins_in_a_day',
      customerId: someone.customer._id,
      details: { joinsToday: 11 },
    });
    const newer = await h.app.models.FraudFlag.create({
      key: 'review:newer',
      rule: 'many_joins_in_a_day',
      customerId: someone.customer._id,
      details: { joinsToday: 12 },
    });

    await new Promise((r) => setTimeout(r, 650));
    const seen = h.zalo.messagesTo('z-owner').length;
    owner.send('flags');
    const more = await h.zalo.waitForText('z-owner', 'Còn 1 trường hợp nữa');
    const list = await h.zalo.waitForText('z-owner', /1\. .*\n2\. /);
    expect(
      h.zalo
        .messagesTo('z-owner')
        .slice(seen)
        .filter((m) => /Trả lời bằng số/.test(m.text)),
    ).toHaveLength(1);
    expect(more.text).not.toMatch(/^1\. /m);
    expect(list.text).toContain('Trả lời bằng số: 1, 2');

    await new Promise((r) => setTimeout(r, 650));
    owner.send('1');
    await h.zalo.waitForText('z-owner', 'Đã bỏ qua cảnh báo.');
    // The newest case was shown, so only it was dismissed; the other is still open.
    expect((await h.app.models.FraudFlag.findById(newer._id).lean())?.status).toBe('dismissed');
    expect((await h.app.models.FraudFlag.findById(older._id).lean())?.status).toBe('open');
  });
});
