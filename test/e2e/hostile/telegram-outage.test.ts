import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { useTelegramApp } from '../../support/app.js';
import { agreeOnTelegram } from '../../support/consent.js';

/**
 * Telegram unreachable (connection refused): a send fails at once and its notification waits
 * for its next attempt, delivered once when Telegram is back; a stop does not wait for it.
 * Before, grammY's auto-retry repeated network errors without end, so both hung.
 */
describe('Telegram unreachable', () => {
  const h = useTelegramApp('telegram-outage');

  it('a notification owed meanwhile fails, waits and arrives once; a stop during the outage still ends', async () => {
    h.telegram.user(501, 'Lan').send('/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(501, 'Lan'), { offers: false });
    // The whole answer to /start (its last part asks for the language).
    await h.telegram.waitForText(501, 'Bạn muốn dùng ngôn ngữ nào');
    const { Customer, Notification } = h.app.models;
    const lan = await Customer.findOne({ lastIdentity: 'telegram:501' }).lean();
    const port = Number(new URL(h.telegram.apiRoot).port);

    await h.telegram.stop();
    const key = `friend_joined:${String(new Types.ObjectId())}`;
    await Notification.create({ key, type: 'friend_joined', customerId: lan!._id, data: { friendName: 'An' } });
    // Tried (the attempt is counted when it is taken) and given back to wait for the next one.
    const state = async () => {
      const notification = await Notification.findOne({ key }).lean();
      return `${notification?.status} after ${notification?.attempts} attempts`;
    };
    await expect.poll(state, { timeout: 15_000, interval: 200 }).toMatch(/^pending after [1-9]/);

    await h.telegram.start(port);
    await h.telegram.waitForText(501, 'vừa tham gia qua link', 30_000);
    await expect.poll(async () => (await Notification.findOne({ key }).lean())?.status, { timeout: 10_000 }).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(h.telegram.messagesTo(501).filter((m) => m.text.includes('vừa tham gia qua link'))).toHaveLength(1);

    await h.telegram.stop();
    const stopped = await Promise.race([h.app.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(resolve, 20_000, 'still stopping'))]);
    expect(stopped).toBe('stopped');
  }, 90_000);
});
