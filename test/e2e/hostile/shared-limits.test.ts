import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { testDatabaseName, testDatabaseUri } from '../../support/database.js';
import { TelegramEmulator } from '../../support/telegram-emulator.js';
import { ZaloEmulator } from '../../support/zalo-emulator.js';

/**
 * Three app processes behind one webhook URL (the emulators deliver to each in turn), on
 * one database: together they keep the limits of one process.
 */
describe('three processes behind one webhook', () => {
  const telegram = new TelegramEmulator();
  const zalo = new ZaloEmulator();
  const apps: RunningApp[] = [];
  const uri = testDatabaseUri(testDatabaseName('shared_limits'));

  beforeAll(async () => {
    await telegram.start();
    await zalo.start();
    for (let i = 0; i < 3; i++) {
      const config = loadConfig({
        PORT: '0',
        MONGODB_URI: uri,
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_MODE: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: 'tg-secret-42',
        ZALO_BOT_TOKEN: zalo.token,
        ZALO_API_ROOT: zalo.apiRoot,
        ZALO_MODE: 'webhook',
        ZALO_WEBHOOK_SECRET: 'zalo-secret-42',
        ZALO_BOT_LINK: 'https://zalo.me/s/botsalonmai',
        PUBLIC_URL: 'https://salon.example.vn',
        LOG_LEVEL: 'silent',
      });
      apps.push(await startApp(config, createLogger('silent'), { agendaProcessEveryMs: 200, notificationSweepMs: 500 }));
    }
    telegram.webhookTargets = apps.map((app) => `${app.listenUrl}/telegram/webhook`);
    zalo.webhookTargets = apps.map((app) => `${app.listenUrl}/zalo/webhook`);
  }, 60_000);

  afterAll(async () => {
    await apps[0]?.connection.dropDatabase().catch(() => undefined);
    for (const app of apps) await app.stop();
    await telegram.stop();
    await zalo.stop();
  });

  it('a Telegram flood spread over the three gets one slow-down in the person language, and only 5 are handled', async () => {
    const en = apps[0]!.i18n.forLocale('en');
    const person = telegram.user(7301, 'Jane', 'en');
    person.send('/help');
    await telegram.waitForText(person.id, en('commands:help.customer'));
    for (let i = 0; i < 9; i++) person.send('/help');
    await telegram.waitForText(person.id, en('bot:slowDown'));
    await telegram.waitForMessages(person.id, 6);
    // Let every delivery of the burst finish before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const texts = telegram.messagesTo(person.id).map((m) => m.text);
    expect(texts.filter((t) => t === en('bot:slowDown'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith(en('commands:help.customer')))).toHaveLength(5);
    expect(texts).toHaveLength(6);
  });

  it('a Zalo flood spread over the three gets one slow-down, and only 5 are handled', async () => {
    const vi = apps[0]!.i18n.forLocale('vi');
    const person = zalo.user('zalo-flooder', 'Hoa');
    // All ten at once: the limit counts by the platform's send time, and ten sent within one
    // second fall in one window however slowly a loaded machine answers the first.
    for (let i = 0; i < 10; i++) person.send('help');
    await zalo.waitForText(person.id, vi('bot:slowDown'));
    await zalo.waitForMessages(person.id, 6);
    await new Promise((r) => setTimeout(r, 1500));
    const texts = zalo.messagesTo(person.id).map((m) => m.text);
    expect(texts.filter((t) => t === vi('bot:slowDown'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith(vi('commands:help.customer')))).toHaveLength(5);
    expect(texts).toHaveLength(6);
  });

  it('notifications to one chat delivered by the three processes at once still go one a second', async () => {
    const person = telegram.user(7302, 'Minh');
    person.send('/help');
    await telegram.waitForText(person.id, apps[0]!.i18n.forLocale('vi')('commands:help.customer'));
    const customer = await apps[0]!.models.ChannelIdentity.findOne({ identity: `telegram:${person.id}` }).lean();
    await apps[0]!.models.Notification.insertMany(
      Array.from({ length: 6 }, (_, i) => ({
        key: `spacing-test:${i}`,
        type: 'friend_joined',
        customerId: customer!.customerId,
        data: { friendName: `Bạn ${i}` },
      })),
    );
    await Promise.all(apps.map((app) => app.delivery.sweep()));
    const notices = () => telegram.messagesTo(person.id).filter((m) => /Bạn \d/.test(m.text));
    const deadline = Date.now() + 20_000;
    while (notices().length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const sent = notices();
    expect(sent).toHaveLength(6);
    const gaps = sent.slice(1).map((m, i) => m.at - sent[i]!.at);
    // One a second, less the jitter of a local HTTP call.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(800);
  }, 30_000);
});
