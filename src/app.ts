import type { Agenda } from 'agenda';
import type { Connection } from 'mongoose';
import type { ChatChannel } from './channels/channel.js';
import type { Config } from './config.js';
import { pingMongo } from './db/connection.js';
import type { Models } from './db/models/index.js';
import { checkHealth, type HealthReport } from './health.js';
import { createI18n, type I18n } from './i18n.js';
import type { Logger } from './logger.js';
import { loadProgram } from './program/load.js';
import type { Program } from './program/schema.js';
import type { NotificationDelivery } from './services/notification-delivery.js';
import type { Services } from './services/index.js';
import { createChannels } from './startup/channels.js';
import { startDatabase, type Database } from './startup/database.js';
import { startHttp } from './startup/http.js';
import { createJobs } from './startup/jobs.js';
import { createServices } from './startup/services.js';
import { createStopList } from './startup/stoppers.js';

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
  database: Database['kind'];
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
 * The composition root's body: the steps in start order, each registering its stopper, so
 * a failure or stop() undoes them in reverse. The channels and HTTP start taking work last
 * and so stop first, before Agenda drains and the database closes.
 */
export async function startApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<RunningApp> {
  const started = createStopList(logger);
  try {
    // Rules and texts first: a mistake in the rules file stops start-up before anything runs.
    // `program` is then the one rules object of this process, kept current in place from the stored versions (services/program-rules.ts).
    const program = loadProgram(config.programConfigPath);
    const i18n = await createI18n({ defaultLocale: config.defaultLocale, timezone: config.timezone });
    const { now } = overrides;

    const db = started.add('database', await startDatabase(config, logger, overrides));
    const { connection, models, agenda } = db;
    const core = started.add('services', await createServices({ config, logger, program, models, agenda, connection, now }));
    const { services } = core;
    const chat = await createChannels({ config, services, program, i18n, logger });
    const jobs = started.add(
      'jobs',
      await createJobs({
        agenda,
        models,
        services,
        program,
        i18n,
        logger,
        timezone: config.timezone,
        senders: chat.senders,
        registry: chat.channels[0]?.registry,
        now,
        notificationSweepMs: overrides.notificationSweepMs ?? 10_000,
      }),
    );
    const health = () => checkHealth({ pingDatabase: () => pingMongo(connection), jobsRunning: jobs.isRunning, channels: chat.channels });
    const { channels, telegramUsername } = chat;
    const http = started.add('http', await startHttp({ config, logger, services, program, i18n, health, channels, telegramUsername }));
    started.add('channels', await chat.start());
    await jobs.start();

    return {
      config,
      listenUrl: http.listenUrl,
      database: db.kind,
      connection,
      models,
      program,
      services,
      ownerSetupCode: core.ownerSetupCode,
      agenda,
      delivery: jobs.delivery,
      i18n,
      channels,
      health,
      stop: started.stopAll,
    };
  } catch (error) {
    await started.stopAll();
    throw error;
  }
}
