import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';
import type { SentMessage } from '../../support/telegram-emulator.js';

/** Bad /claim input and replays: a clear reply in the person's language, and the wallet unchanged. */
describe('hostile input: the points wallet', () => {
  const h = useTelegramApp('hostile-wallet', { OWNER_IDS: 'telegram:900' }, { zalo: true });
  const mallory = () => h.telegram.user(666, 'Mallory', 'en');
  const pause = () => new Promise((resolve) => setTimeout(resolve, 700));
  const next = async (chatId: number, act: () => void): Promise<SentMessage> => {
    const before = h.telegram.messagesTo(chatId).length;
    act();
    return (await h.telegram.waitForMessages(chatId, before + 1))[before]!;
  };
  const state = async () => {
    const m = h.app.models;
    const c = (await h.app.services.customers.findByIdentity('telegram:666'))!;
    return {
      points: c.points,
      balance: c.balance,
      entries: await m.PointsEntry.countDocuments({ customerId: c._id }),
      vouchers: await m.Voucher.countDocuments({ customerId: c._id }),
      claims: await m.Claim.countDocuments({ key: `wallet:${String(c._id)}` }),
    };
  };

  it('unknown numbers, too few points and missing or garbled numbers change nothing and say why, in English', async () => {
    mallory().send('/start');
    await agreeOnTelegram(h.telegram, mallory());
    // The agreement took two of the five messages a person may send in three seconds: wait that out.
    await new Promise((r) => setTimeout(r, 3100));
    const c = (await h.app.services.customers.findByIdentity('telegram:666'))!;
    await h.app.services.points.add(c._id, 350, 'bonus', 'seed:mallory');
    const before = await state();
    expect(before).toMatchObject({ points: 350, balance: 350, entries: 1, vouchers: 0 });
    const answers: Array<[string, string]> = [
      ['/claim 9', 'There is no reward number 9. Reward numbers: 1, 2, 3. Send /rewards to see the list. Nothing was changed.'],
      ['/claim 2', 'Reward 2 (50,000 VND off) takes 500 points; your balance is 350 points (150 short). No points were taken.'],
      ['/claim', 'Use: /claim <reward number>, for example: /claim 1'],
      ['/claim one', 'Use: /claim <reward number>, for example: /claim 1'],
      ['/claim 1 2', 'Use: /claim <reward number>, for example: /claim 1'],
      ['/claim -1', 'Use: /claim <reward number>, for example: /claim 1'],
      ['/claim 0', 'There is no reward number 0.'],
      ['/claim 99999999999999999999', 'Use: /claim <reward number>, for example: /claim 1'],
    ];
    for (const [text, reply] of answers) {
      const answer = await next(666, () => mallory().send(text));
      expect(answer.text, text).toContain(reply);
      await pause();
    }
    expect(await state()).toEqual(before);
  });

  it('a redelivered /claim update spends once and is answered once', async () => {
    const update = {
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 666, type: 'private' },
        from: { id: 666, is_bot: false, first_name: 'Mallory', language_code: 'en' },
        text: '/claim 1',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    };
    h.telegram.push(update, 9000);
    await h.telegram.waitForText(666, 'You turned 300 points into: A free hair wash and blow-dry.');
    h.telegram.push(update, 9000);
    await pause();
    expect(await state()).toMatchObject({ points: 350, balance: 50, entries: 2, vouchers: 1, claims: 0 });
    expect(h.telegram.messagesTo(666).filter((m) => m.text.startsWith('🎁 You turned'))).toHaveLength(1);
  });

  it("another person's claim button does nothing for them", async () => {
    const c = (await h.app.services.customers.findByIdentity('telegram:666'))!;
    await h.app.services.points.add(c._id, 300, 'bonus', 'seed:mallory:2');
    await pause();
    const rewards = await next(666, () => mallory().send('/rewards'));
    const data = rewards.buttons.find((b) => b.text === '🎁 Claim reward 1 (300 points)')!.callback_data;
    h.telegram.user(777, 'Eve', 'en').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(777, 'Eve', 'en'));
    const refused = await next(777, () =>
      h.telegram.push({
        callback_query: {
          id: 'eve-press',
          from: { id: 777, is_bot: false, first_name: 'Eve' },
          chat_instance: '777',
          data,
          message: { message_id: 1, date: 0, chat: { id: 777, type: 'private' } },
        },
      }),
    );
    expect(refused.text).not.toContain('You turned');
    expect(await state()).toMatchObject({ balance: 350, vouchers: 1 });
    const eve = (await h.app.services.customers.findByIdentity('telegram:777'))!;
    expect(await h.app.models.Voucher.countDocuments({ customerId: eve._id })).toBe(0);
  });
});
