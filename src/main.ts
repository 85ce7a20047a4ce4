import { startApp, type RunningApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config.js';
import { EmbeddedMongoError } from './db/embedded.js';
import { ProgramConfigError } from './program/load.js';
import { createLogger } from './logger.js';
import { SETUP_CODE_HOURS } from './services/roles.js';

/** What the operator reads in the terminal after start: where it runs, what to set next. */
function banner(app: RunningApp, config: Config): string {
  const t = app.i18n.forLocale(config.defaultLocale);
  const lines = [
    t('console:started', { url: app.listenUrl }),
    t('console:database', { kind: t(`console:databaseKind.${app.database}`, { dataDir: config.dataDir }) }),
    t('console:healthCheck', { url: `${app.listenUrl}/healthz` }),
  ];
  for (const [name, label] of [
    ['telegram', 'Telegram'],
    ['zalo', 'Zalo'],
  ] as const) {
    const running = app.channels.find((c) => c.name === name);
    lines.push(running ? t('console:channelOn', { channel: label, detail: running.describe() }) : t('console:channelOff', { channel: label }));
  }
  if (app.database === 'ferretdb-sqlite') lines.push('', t('console:sqliteSlow'));
  if (app.ownerSetupCode) lines.push('', t('console:ownerSetupCode', { code: app.ownerSetupCode, hours: SETUP_CODE_HOURS }));
  const next: string[] = [];
  if (config.telegram.mode === 'off') next.push(t('console:nextTelegram'));
  if (config.zalo.mode === 'off') next.push(t('console:nextZalo'));
  if (config.publicUrlIsLocal) next.push(t('console:nextPublicUrl'));
  if (!config.mongodbUri) next.push(t('console:nextMongo'));
  if (next.length > 0) lines.push('', t('console:nextHeading'), ...next.map((line) => `  - ${line}`));
  return lines.join('\n');
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  // Signals are taken from the first moment: a stop asked for during start-up (the embedded
  // database's servers are children of this process) waits for the start, then stops cleanly.
  let app: RunningApp | undefined;
  let stopRequested: string | undefined;
  const shutdown = (signal: string) => {
    if (!app) {
      stopRequested ??= signal;
      return;
    }
    const running = app;
    app = undefined;
    logger.info({ signal }, 'shutting down');
    running
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    app = await startApp(config, logger);
  } catch (error) {
    if (error instanceof EmbeddedMongoError || error instanceof ProgramConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'start-up failed');
    }
    process.exit(1);
  }
  process.stdout.write(`${banner(app, config)}\n`);
  if (stopRequested) shutdown(stopRequested);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
}

await main();
