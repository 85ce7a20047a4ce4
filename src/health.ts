import type { ChatChannel } from './channels/channel.js';
import type { Logger } from './logger.js';

export type ComponentState = 'up' | 'down';
export type ChannelState = ComponentState | 'off';

/**
 * What GET /healthz answers; `ok` is true when everything configured is up, and `reason`
 * says what is not (first the database, since everything else needs it).
 */
export interface HealthReport {
  ok: boolean;
  mongodb: ComponentState;
  agenda: ComponentState;
  channels: { telegram: ChannelState; zalo: ChannelState };
  reason?: string;
}

export function summarizeHealth(parts: Omit<HealthReport, 'ok' | 'reason'>): HealthReport {
  const downChannels = Object.entries(parts.channels)
    .filter(([, state]) => state === 'down')
    .map(([name]) => name);
  const reason =
    parts.mongodb === 'down'
      ? 'database unreachable'
      : parts.agenda === 'down'
        ? 'job scheduler not running'
        : downChannels.length > 0
          ? `${downChannels.join(' and ')} not receiving updates`
          : undefined;
  return reason ? { ok: false, ...parts, reason } : { ok: true, ...parts };
}

/** What /healthz looks at: the database answers, Agenda processes, each channel receives. */
export interface HealthSources {
  pingDatabase: () => Promise<boolean>;
  jobsRunning: () => boolean;
  channels: readonly Pick<ChatChannel, 'name' | 'isUp'>[];
}

export async function checkHealth(sources: HealthSources): Promise<HealthReport> {
  const mongoUp = await sources.pingDatabase();
  const channelState = (name: ChatChannel['name']): ChannelState => {
    const channel = sources.channels.find((c) => c.name === name);
    if (!channel) return 'off';
    return channel.isUp() ? 'up' : 'down';
  };
  return summarizeHealth({
    mongodb: mongoUp ? 'up' : 'down',
    agenda: sources.jobsRunning() && mongoUp ? 'up' : 'down',
    channels: { telegram: channelState('telegram'), zalo: channelState('zalo') },
  });
}

/**
 * Logs a stream of errors from something that fails over and over while the database is
 * away (Agenda polls every few seconds): the first error of an outage in full, then
 * nothing until `isUp` says it is back, then one line with how many were left out.
 */
export function outageLog(logger: Logger, what: string, isUp: () => Promise<boolean>, checkEveryMs = 2000) {
  let suppressed = 0;
  let watching: NodeJS.Timeout | undefined;
  const watch = () => {
    watching = setTimeout(() => {
      void isUp().then((up) => {
        if (!up) return watch();
        logger.info({ suppressed }, `${what} recovered`);
        suppressed = 0;
        watching = undefined;
      });
    }, checkEveryMs);
    watching.unref();
  };
  return {
    error(error: unknown): void {
      if (watching) {
        suppressed += 1;
        return;
      }
      logger.error({ err: error }, `${what} error; further errors are not logged until it recovers`);
      watch();
    },
    stop(): void {
      clearTimeout(watching);
    },
  };
}
