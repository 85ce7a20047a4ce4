import type { Server } from 'node:http';
import type { ChatChannel } from '../channels/channel.js';
import type { Config } from '../config.js';
import type { HealthReport } from '../health.js';
import { createHttpApp } from '../http/app.js';
import { createDashboardRouter } from '../http/back-office/index.js';
import { createViews } from '../http/views.js';
import { createPrivacyPagesRouter } from '../http/privacy-pages.js';
import { createPublicPagesRouter } from '../http/public-pages.js';
import type { I18n } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import type { Stop } from './stoppers.js';

export interface HttpStep {
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  listenUrl: string;
  /** Stops accepting connections and waits for the requests in hand. */
  stop: Stop;
}

/** The web server: channels' webhooks, the public pages, the dashboard and /healthz. */
export async function startHttp(deps: {
  config: Config;
  logger: Logger;
  services: Services;
  program: Program;
  i18n: I18n;
  channels: readonly ChatChannel[];
  telegramUsername: string | undefined;
  health: () => Promise<HealthReport>;
}): Promise<HttpStep> {
  const { config, services, program, i18n } = deps;
  const views = createViews(i18n);
  const httpApp = createHttpApp({
    logger: deps.logger,
    health: deps.health,
    routers: [
      ...deps.channels.flatMap((c) => (c.router ? [c.router] : [])),
      createPublicPagesRouter({
        services,
        program,
        i18n,
        views,
        publicUrl: config.publicUrl,
        telegramUsername: () => deps.telegramUsername,
        zaloBotLink: config.zalo.mode === 'off' ? undefined : config.zalo.botLink,
      }),
      createPrivacyPagesRouter({ services, program, i18n, views }),
      createDashboardRouter({ services, program, i18n, views, publicUrl: config.publicUrl }),
    ],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = httpApp.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    listenUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
