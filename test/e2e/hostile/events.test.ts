import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';
import { waitForDeliveries } from '../../support/deliveries.js';

/** Doubling an event (two staff at once, a redelivered update) must not double its message. */
describe('hostile: one event, one message, however often it is triggered', () => {
  const h = useTelegramApp('hostile-events', { OWNER_IDS: 'telegram:900' });
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;
  const textsSince = (chat: number, from: number) =>
    h.telegram
      .messagesTo(chat)
      .slice(from)
      .map((m) => m.text);

  async function join(id: number, name: string, payload = ''): Promise<void> {
    const before = h.telegram.messagesTo(id).length;
    h.telegram.user(id, name).send(payload ? `/start ${payload}` : '/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(id, name), { since: before });
  }

  it('sets up the owner, two staff members and a referrer with a friend', async () => {
    await join(900, 'Chủ tiệm');
    for (const [id, name] of [
      [201, 'Lan'],
      [202, 'Mai'],
    ] as const) {
      await join(id, name);
      h.telegram.user(900, 'Chủ tiệm').send(`/staff add ${await codeOf(id)}`);
      await h.telegram.waitForText(id, 'Bạn đã được thêm làm nhân viên');
    }
    await join(301, 'An');
    await join(302, 'Bình', await codeOf(301));
    await waitForDeliveries(h.app.models);
  });

  it('two staff confirming the same friend at the same moment: one message to the referrer, one to the friend', async () => {
    const before = { an: h.telegram.messagesTo(301).length, binh: h.telegram.messagesTo(302).length };
    const binh = await codeOf(302);
    h.telegram.user(201, 'Lan').send(`/confirm ${binh} 200k`);
    h.telegram.user(202, 'Mai').send(`/confirm ${binh} 200k`);
    await h.telegram.waitForText(201, /lần ghé đầu tiên của Bình/i);
    await h.telegram.waitForText(202, /lần ghé đầu tiên của Bình/i);
    await waitForDeliveries(h.app.models);
    expect(textsSince(301, before.an)).toEqual([expect.stringContaining('Bình vừa ghé Salon Mai lần đầu nhờ bạn giới thiệu!')]);
    expect(textsSince(302, before.binh)).toEqual([expect.stringContaining('Ưu đãi lần đầu của bạn')]);
  });

  it('two visits crossing the same tier at the same moment: a receipt each, the congratulation once', async () => {
    // Bình has 120 points; each visit adds 100, so either one reaches Member (200).
    const before = h.telegram.messagesTo(302).length;
    const binh = await codeOf(302);
    h.telegram.user(201, 'Lan').send(`/visit ${binh}`);
    h.telegram.user(202, 'Mai').send(`/visit ${binh}`);
    await h.telegram.waitForText(201, 'Đã ghi nhận lần ghé của Bình');
    await h.telegram.waitForText(202, 'Đã ghi nhận lần ghé của Bình');
    await waitForDeliveries(h.app.models);
    const received = textsSince(302, before);
    expect(received).toHaveLength(2);
    expect(received.every((text) => text.startsWith('🧾 Cảm ơn bạn đã ghé Salon Mai! +100 điểm'))).toBe(true);
    expect(received.filter((text) => text.includes('Chúc mừng! Bạn đã lên hạng Thành viên'))).toHaveLength(1);
    expect(await h.app.models.Customer.findOne({ code: binh }).lean()).toMatchObject({ points: 320, balance: 320, tier: 'member' });
  });

  it('a /visit update delivered twice records one visit and announces its tier once', async () => {
    const before = h.telegram.messagesTo(302).length;
    const binh = await codeOf(302);
    const update = {
      message: {
        message_id: 9100,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 201, type: 'private' },
        from: { id: 201, is_bot: false, first_name: 'Lan' },
        text: `/visit ${binh} 2000k`,
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    };
    h.telegram.push(update, 7000);
    h.telegram.push(update, 7000);
    await h.telegram.waitForText(201, /Đã ghi nhận lần ghé của Bình: \+300 điểm \(tổng 620\)/);
    await waitForDeliveries(h.app.models);
    expect(textsSince(302, before)).toEqual([expect.stringContaining('Chúc mừng! Bạn đã lên hạng Bạc')]);
    expect(await h.app.models.Visit.countDocuments({ customerId: (await h.app.services.customers.findByIdentity('telegram:302'))!._id })).toBe(4);
  });
});
