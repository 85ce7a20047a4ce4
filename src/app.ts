import type { Server } from 'node:http';
import type { Agenda } from 'agenda';
import type { Connection } from 'mongoose';
import type { ChatChannel } from './channels/channel.js';
import { createNotificationRenderer } from './channels/conversation/notifications.js';
import { createTelegramChannel } from './channels/telegram/channel.js';
import { createZaloChannel } from './channels/zalo/channel.js';
import { createDashboardRouter } from './http/dashboard.js';
import { createPublicPagesRouter } from './http/public-pages.js';
import type { Config } from './config.js';
import { connectMongo, pingMongo } from './db/connection.js';
import { startEmbeddedMongo, type EmbeddedMongo } from './db/embedded.js';
import { createModels, ensureIndexes, type Models } from './db/models/index.js';
import { outageLog, summarizeHealth, type HealthReport } from './health.js';
import { createHttpApp } from './http/app.js';
import { createI18n, type I18n } from './i18n.js';
import { createAgenda } from './jobs/agenda.js';
import { defineMaintenanceJobs } from './jobs/maintenance.js';
import { DELIVER_NOTIFICATION, defineNotificationJobs } from './jobs/notifications.js';
import { defineScheduledMessageJobs } from './jobs/scheduled-messages.js';
import { createNotificationDelivery, SENDING_HEARTBEAT_MS, type NotificationDelivery } from './services/notification-delivery.js';
import type { Logger } from './logger.js';
import { loadProgram } from './program/load.js';
import type { Program } from './program/schema.js';
import { createServices, type Services } from './services/index.js';
import type { ChannelName, MessageSender } from './services/ports.js';

export interface AppOverrides {
  /** Agenda poll interval; tests shorten it. */
  agendaProcessEveryMs?: number;
  /** How often due and retried notifications are swept; tests shorten it. */
  notificationSweepMs?: number;
  /** The clock of the services and the notifier; tests move it to see what an hour later brings. */
  now?: () => Date;
}

export interface RunningApp {
  config: Config;
  /** Where the HTTP server listens, e.g. http://127.0.0.1:3000. */
  listenUrl: string;
  /** Which database this process uses: "external" (MONGODB_URI) or the embedded kind. */
  database: 'external' | EmbeddedMongo['kind'];
  connection: Connection;
  models: Models;
  program: Program;
  services: Services;
  /** Printed at start while the shop has no owner: `/start <code>` in the bot claims ownership. */
  ownerSetupCode: string | undefined;
  agenda: Agenda;
  /** The notifier (Agenda's jobs call it; a sweep can also be run on demand). */
  delivery: NotificationDelivery;
  i18n: I18n;
  channels: ChatChannel[];
  health(): Promise<HealthReport>;
  /** Stops taking work, lets running work finish, closes everything; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The composition root's body: builds and starts every part in order, and on failure
 * stops what already started. Order of start: database, models and indexes, i18n,
 * Agenda jobs, channels' init, HTTP, channels' start, Agenda processing.
 */
export async function startApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<RunningApp> {
  const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const { name, stop: stopPart } of stoppers.reverse()) {
        try {
          await stopPart();
          logger.debug({ part: name }, 'stopped');
        } catch (error) {
          logger.error({ err: error, part: name }, 'failed to stop cleanly');
        }
      }
    })());

  try {
    // Rules first: a mistake in the rules file should stop start-up before anything runs.
    const program = loadProgram(config.programConfigPath);
    let uri = config.mongodbUri;
    let database: RunningApp['database'] = 'external';
    if (!uri) {
      const embedded = await startEmbeddedMongo({
        dataDir: config.dataDir,
        database: 'loyalty',
        logger,
        allowBuild: true,
      });
      stoppers.push({ name: 'embedded database', stop: () => embedded.stop() });
      uri = embedded.uri;
      database = embedded.kind;
      logger.info({ kind: embedded.kind, dataDir: config.dataDir }, 'embedded database started');
    }

    const connection = await connectMongo(uri);
    stoppers.push({ name: 'mongodb', stop: () => connection.close() });
    const models = createModels(connection);
    await ensureIndexes(models);

    const i18n = await createI18n({ defaultLocale: config.defaultLocale, timezone: config.timezone });
    // Bound once Agenda exists: a recorded notification is scheduled for delivery at once.
    let scheduleDelivery: (ids: string[]) => void = () => undefined;
    const services = createServices({
      models,
      program,
      logger,
      timezone: config.timezone,
      publicUrl: config.publicUrl,
      now: overrides.now,
      onNotificationsRecorded: (ids) => scheduleDelivery(ids),
    });
    await services.roles.ensureOwners(config.ownerIds, config.defaultLocale);
    const ownerSetupCode = await services.roles.getOrCreateSetupCode();

    const agenda = createAgenda(connection, { processEveryMs: overrides.agendaProcessEveryMs });
    let agendaRunning = false;
    // Agenda polls every few seconds: while the database is away that is an error each time.
    const agendaErrors = outageLog(logger, 'agenda', () => pingMongo(connection));
    agenda.on('error', (error) => agendaErrors.error(error));
    stoppers.push({ name: 'agenda error log', stop: () => Promise.resolve(agendaErrors.stop()) });
    // Registered before HTTP and channels so it runs after they stopped taking work.
    stoppers.push({
      name: 'agenda',
      stop: async () => {
        if (!agendaRunning) return;
        agendaRunning = false;
        // Finish the jobs in hand (up to 30 s), then release any locks for other processes.
        const drained = await agenda.drain({ timeout: 30_000, closeConnection: false });
        if (drained.timedOut) await agenda.stop(false);
      },
    });

    await defineMaintenanceJobs(agenda, services);
    await defineScheduledMessageJobs(agenda, services, program, config.timezone);

    const channels: ChatChannel[] = [];
    const senders = new Map<ChannelName, MessageSender>();
    let telegramUsername: () => string | undefined = () => undefined;
    if (config.telegram.enabled) {
      const telegram = createTelegramChannel({ ...config.telegram, publicUrl: config.publicUrl, services, program, i18n, logger });
      channels.push(telegram);
      senders.set('telegram', telegram.sender);
      telegramUsername = () => (telegram.bot.isInited() ? telegram.bot.botInfo.username : undefined);
    }
    if (config.zalo.enabled) {
      const zalo = createZaloChannel({ ...config.zalo, publicUrl: config.publicUrl, services, program, i18n, logger });
      channels.push(zalo);
      senders.set('zalo', zalo.sender);
    }
    for (const channel of channels) {
      await channel.init();
    }

    const delivery = createNotificationDelivery({ models, logger, senders, render: createNotificationRenderer(i18n, program), now: overrides.now });
    await defineNotificationJobs(agenda, delivery, overrides.notificationSweepMs ?? 10_000);
    await delivery.heartbeat();
    const heartbeat = setInterval(() => {
      delivery.heartbeat().catch((error: unknown) => logger.warn({ err: error }, 'sending heartbeat failed'));
    }, SENDING_HEARTBEAT_MS);
    heartbeat.unref();
    stoppers.push({
      name: 'sending heartbeat',
      stop: async () => {
        clearInterval(heartbeat);
        await delivery.retire();
      },
    });
    scheduleDelivery = (ids) => {
      for (const notificationId of ids) {
        agenda.now(DELIVER_NOTIFICATION, { notificationId }).catch((error: unknown) => {
          // The sweep delivers it anyway; only the immediacy is lost.
          logger.warn({ err: error, notificationId }, 'could not schedule a delivery');
        });
      }
    };

    const health = async (): Promise<HealthReport> => {
      const mongoUp = await pingMongo(connection);
      const channelState = (name: ChatChannel['name']) => {
        const channel = channels.find((c) => c.name === name);
        if (!channel) return 'off' as const;
        return channel.isUp() ? ('up' as const) : ('down' as const);
      };
      return summarizeHealth({
        mongodb: mongoUp ? 'up' : 'down',
        agenda: agendaRunning && mongoUp ? 'up' : 'down',
        channels: { telegram: channelState('telegram'), zalo: channelState('zalo') },
      });
    };

    const httpApp = createHttpApp({
      logger,
      health,
      routers: [
        ...channels.flatMap((c) => (c.router ? [c.router] : [])),
        createPublicPagesRouter({
          services,
          program,
          i18n,
          publicUrl: config.publicUrl,
          telegramUsername,
          zaloBotLink: config.zalo.enabled ? config.zalo.botLink : undefined,
        }),
        createDashboardRouter({ services, program, i18n, publicUrl: config.publicUrl }),
      ],
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = httpApp.listen(config.port, () => resolve(s));
      s.once('error', reject);
    });
    stoppers.push({
      name: 'http',
      stop: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;

    for (const channel of channels) {
      await channel.start();
      stoppers.push({ name: `channel ${channel.name}`, stop: () => channel.stop() });
    }

    await agenda.start();
    agendaRunning = true;

    return {
      config,
      listenUrl: `http://127.0.0.1:${port}`,
      database,
      connection,
      models,
      program,
      services,
      ownerSetupCode,
      agenda,
      delivery,
      i18n,
      channels,
      health,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
