import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../support/app.js';
import { telegramBotApiLimits } from '../support/telegram-limits.js';

/**
 * A burst of owed messages to many chats through the running app (its delivery sweep) against an emulator that refuses what Telegram would: each person
 * gets their message once, none is refused with 429, none is left pending.
 */
describe('outbound at the platform limit', () => {
  const h = useTelegramApp('outbound-burst');
  const COUNT = 150;

  it(`${COUNT} owed messages to ${COUNT} chats go out within Telegram's limits, each exactly once`, async () => {
    h.telegram.enforceLimits(telegramBotApiLimits);
    const { Customer, ChannelIdentity, Notification } = h.app.models;
    const people = Array.from({ length: COUNT }, (_, i) => ({
      _id: new Types.ObjectId(),
      code: `BRST${String(i).padStart(3, '0')}`,
      locale: 'vi',
      name: `K${i}`,
      // Customers who agreed to the privacy notice: their /me is answered.
      consentVersion: '1',
      consentAt: new Date(),
    }));
    await Customer.insertMany(people);
    await ChannelIdentity.insertMany(
      people.map((c, i) => ({ identity: `telegram:${7000 + i}`, customerId: c._id, channel: 'telegram', chatId: String(7000 + i) })),
    );
    // Owed, as a burst of events leaves them; the app's sweep delivers them.
    await Notification.insertMany(
      people.map((c) => ({ key: `friend_joined:${String(c._id)}`, type: 'friend_joined', customerId: c._id, data: { friendName: 'An' } })),
    );

    // Meanwhile twenty of them write to the bot: its replies share the rate with the burst.
    const chatting = Array.from({ length: 20 }, (_, i) => 7000 + i * 7);
    for (const id of chatting) h.telegram.user(id, `K${id - 7000}`).send('/me');
    for (const id of chatting) await h.telegram.waitForText(id, 'Mã QR thành viên', 60_000);
    for (let i = 0; i < COUNT; i++) await h.telegram.waitForMessages(7000 + i, 1, 60_000);
    expect(h.telegram.refusedForLimits).toBe(0);
    // A second more, so a repeat would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const notified = (id: number) => h.telegram.messagesTo(id).filter((m) => m.text.includes('vừa tham gia qua link')).length;
    expect(people.every((_, i) => notified(7000 + i) === 1)).toBe(true);
    expect(await Notification.countDocuments({ customerId: { $in: people.map((c) => c._id) }, status: 'sent' })).toBe(COUNT);
  }, 90_000);
});
