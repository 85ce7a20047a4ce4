import type { ChatChannel } from '../channels/channel.js';
import { createTelegramChannel } from '../channels/telegram/channel.js';
import { createZaloChannel } from '../channels/zalo/channel.js';
import type { Config } from '../config.js';
import type { I18n } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import type { ChannelName, MessageSender } from '../services/ports.js';
import { stopInReverse, type StartedPart, type Stop } from './stoppers.js';

export interface ChannelsStep {
  channels: ChatChannel[];
  /** How the notifier reaches a person on each running channel. */
  senders: Map<ChannelName, MessageSender>;
  /** The Telegram bot's username (known once its identity is loaded), for "open in Telegram" links. */
  telegramUsername: string | undefined;
  /** Starts receiving updates (once HTTP listens, for webhooks); the stop ends that again. */
  start(): Promise<{ stop: Stop }>;
}

/**
 * The chat channels whose bot has a token, with their identity checked and loaded. They take
 * no updates until `start`, so until then there is nothing to stop.
 */
export async function createChannels(deps: {
  config: Config;
  services: Services;
  program: Program;
  i18n: I18n;
  logger: Logger;
}): Promise<ChannelsStep> {
  const { config, ...parts } = deps;
  const channels: ChatChannel[] = [];
  const senders = new Map<ChannelName, MessageSender>();
  const telegram = config.telegram.mode === 'off' ? undefined : createTelegramChannel({ ...config.telegram, publicUrl: config.publicUrl, ...parts });
  if (telegram) {
    channels.push(telegram);
    senders.set('telegram', telegram.sender);
  }
  if (config.zalo.mode !== 'off') {
    const zalo = createZaloChannel({ ...config.zalo, publicUrl: config.publicUrl, ...parts });
    channels.push(zalo);
    senders.set('zalo', zalo.sender);
  }
  for (const channel of channels) await channel.init();

  return {
    channels,
    senders,
    telegramUsername: telegram?.bot.botInfo.username,
    async start() {
      const started: StartedPart[] = [];
      const stop = () => stopInReverse(started, deps.logger);
      try {
        for (const channel of channels) {
          await channel.start();
          started.push({ name: `channel ${channel.name}`, stop: () => channel.stop() });
        }
      } catch (error) {
        await stop();
        throw error;
      }
      return { stop };
    },
  };
}
