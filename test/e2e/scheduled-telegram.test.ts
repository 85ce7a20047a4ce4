import { describe, expect, it } from 'vitest';
import { DAILY_SUMMARY } from '../../src/jobs/scheduled-messages.js';
import { useTelegramApp } from '../support/app.js';
import { agreeOnTelegram } from '../support/consent.js';

/**
 * The notifier through real Agenda jobs and the Telegram emulator: failures the platform
 * reports are retried or given up as the person would expect, and the owner's daily summary
 * counts what could not be delivered.
 */
describe('Telegram: scheduled delivery end to end', () => {
  const h = useTelegramApp('tg-scheduled', { OWNER_IDS: 'telegram:950' });
  const codeOf = async (id: number) => (await h.app.services.customers.findByIdentity(`telegram:${id}`))!.code;
  const join = async (id: number, name: string, payload = '') => {
    h.telegram.user(id, name).send(payload ? `/start ${payload}` : '/start');
    await agreeOnTelegram(h.telegram, h.telegram.user(id, name));
  };
  const friendJoined = (chatId: number) => h.telegram.messagesTo(chatId).filter((m) => m.text.includes('vừa tham gia qua link của bạn'));

  it('a long 429 and a server error are retried later, and each message arrives once', async () => {
    await join(951, 'Lan');
    await join(952, 'Minh');
    // Longer than the bot's own short wait, so the notifier reschedules after retry_after.
    h.telegram.failNext(951, { error_code: 429, description: 'Too Many Requests: retry after 6', retry_after: 6 });
    h.telegram.failNext(952, { error_code: 502, description: 'Bad Gateway' });
    await join(953, 'Nga', await codeOf(951));
    await join(954, 'Oanh', await codeOf(952));

    await h.telegram.waitForText(951, 'Nga vừa tham gia qua link của bạn', 30_000);
    await h.telegram.waitForText(952, 'Oanh vừa tham gia qua link của bạn', 30_000);
    const lan = await h.app.services.customers.findByIdentity('telegram:951');
    const notification = () => h.app.models.Notification.findOne({ customerId: lan!._id, type: 'friend_joined' }).lean();
    // The emulator has the message a moment before the worker records it as sent.
    await expect.poll(async () => (await notification())?.status, { timeout: 5_000 }).toBe('sent');
    expect(await notification()).toMatchObject({ status: 'sent', attempts: 2, lastError: 'Too Many Requests: retry after 6' });
    expect(friendJoined(951)).toHaveLength(1);
    expect(friendJoined(952)).toHaveLength(1);
  });

  it('a person who blocked the bot is undeliverable, and the owner sees it in the summary, sent once', async () => {
    h.telegram.user(950, 'Chủ tiệm').send('/start');
    await h.telegram.waitForMessages(950, 1);
    await join(955, 'Phúc');
    h.telegram.block(955);
    await join(956, 'Quân', await codeOf(955));
    const phuc = await h.app.services.customers.findByIdentity('telegram:955');
    const deadline = Date.now() + 15_000;
    while ((await h.app.models.Notification.countDocuments({ customerId: phuc!._id, status: 'undeliverable' })) === 0) {
      if (Date.now() > deadline) throw new Error('the notification to a blocked person never became undeliverable');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The job fired twice (a retry, or two processes) still gives the owner one summary.
    await h.app.agenda.now(DAILY_SUMMARY);
    await h.app.agenda.now(DAILY_SUMMARY);
    const summary = await h.telegram.waitForText(950, 'Báo cáo ngày của Salon Mai');
    expect(summary.text).toContain('Tin nhắn không gửi được: 1 (+1 so với hôm qua');
    expect(summary.text).toContain('Bạn bè tham gia: 3');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.telegram.messagesTo(950).filter((m) => m.text.includes('Báo cáo ngày'))).toHaveLength(1);
    expect(h.telegram.messagesTo(955).filter((m) => m.text.includes('Quân'))).toHaveLength(0);
  });
});
