import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { testDatabaseName, testDatabaseUri } from './database.js';
import { TelegramEmulator } from './telegram-emulator.js';
import { ZaloEmulator } from './zalo-emulator.js';

export interface AppHarness {
  readonly app: RunningApp;
  readonly telegram: TelegramEmulator;
  readonly zalo: ZaloEmulator;
  /** Stops the app and starts it again on the same database and emulators, with `env` added (an operator's restart). */
  restart(env?: Record<string, string>): Promise<void>;
}

/**
 * The whole app, as main.ts starts it, on its own test database, with Telegram pointed
 * at a local emulator and Agenda polling fast.
 */
export function useTelegramApp(
  label: string,
  env: Record<string, string> = {},
  options: { zalo?: boolean; now?: () => Date; /** Where the app logs (tests that read log lines); silent by default. */ logger?: Logger } = {},
): AppHarness {
  const telegram = new TelegramEmulator();
  const zalo = new ZaloEmulator();
  const database = testDatabaseName(label);
  let app: RunningApp | undefined;
  const start = async (extra: Record<string, string> = {}) => {
    const config = loadConfig({
      PORT: '0',
      MONGODB_URI: testDatabaseUri(database),
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      ...(options.zalo ? { ZALO_BOT_TOKEN: zalo.token, ZALO_API_ROOT: zalo.apiRoot, ZALO_BOT_LINK: 'https://zalo.me/s/botsalonmai' } : {}),
      LOG_LEVEL: 'silent',
      ...env,
      ...extra,
    });
    app = await startApp(config, options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), {
      agendaProcessEveryMs: 200,
      notificationSweepMs: 500,
      now: options.now,
    });
  };
  beforeAll(async () => {
    await telegram.start();
    await zalo.start();
    await start();
  });
  // Every message either person received is fully rendered: a `{{name}}` left in one is a value the code did not pass.
  afterEach(() => {
    const unrendered = [...telegram.unrendered.splice(0), ...zalo.unrendered.splice(0)];
    expect(unrendered, 'messages with an unrendered {{placeholder}}').toEqual([]);
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
    restart: async (extra) => {
      await app?.stop();
      app = undefined;
      await start(extra);
    },
    get app() {
      if (!app) throw new Error('the app starts in beforeAll');
      return app;
    },
  };
}
