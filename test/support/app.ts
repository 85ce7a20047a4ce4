import { afterAll, beforeAll } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { testDatabaseName, testDatabaseUri } from './database.js';
import { TelegramEmulator } from './telegram-emulator.js';
import { ZaloEmulator } from './zalo-emulator.js';

export interface AppHarness {
  readonly app: RunningApp;
  readonly telegram: TelegramEmulator;
  readonly zalo: ZaloEmulator;
}

/**
 * The whole app, as main.ts starts it, on its own test database, with Telegram pointed
 * at a local emulator and Agenda polling fast.
 */
export function useTelegramApp(
  label: string,
  env: Record<string, string> = {},
  options: { zalo?: boolean; now?: () => Date } = {},
): AppHarness {
  const telegram = new TelegramEmulator();
  const zalo = new ZaloEmulator();
  let app: RunningApp | undefined;
  beforeAll(async () => {
    await telegram.start();
    await zalo.start();
    const config = loadConfig({
      PORT: '0',
      MONGODB_URI: testDatabaseUri(testDatabaseName(label)),
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      ...(options.zalo ? { ZALO_BOT_TOKEN: zalo.token, ZALO_API_ROOT: zalo.apiRoot, ZALO_BOT_LINK: 'https://zalo.me/s/botsalonmai' } : {}),
      LOG_LEVEL: 'silent',
      ...env,
    });
    app = await startApp(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), {
      agendaProcessEveryMs: 200,
      notificationSweepMs: 500,
      now: options.now,
    });
  });
  afterAll(async () => {
    await app?.connection.dropDatabase().catch(() => undefined);
    await app?.stop();
    await telegram.stop();
    await zalo.stop();
  });
  return {
    telegram,
    zalo,
    get app() {
      if (!app) throw new Error('the app starts in beforeAll');
      return app;
    },
  };
}
