import type { Router } from 'express';
import type { BotConfig } from '../config.js';
import type { I18n } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Program } from '../program/schema.js';
import type { Services } from '../services/index.js';
import type { ChannelName } from '../services/ports.js';
import type { Registry } from './conversation/registry.js';

/** What every chat channel is built from: its bot's credentials and mode, and the app's parts. */
export type ChatChannelDeps = BotConfig & {
  publicUrl: string;
  services: Services;
  program: Program;
  i18n: I18n;
  logger: Logger;
};

/** A running chat channel, as the composition root drives it. */
export interface ChatChannel {
  name: ChannelName;
  /** The commands this channel answers (the same feature modules on every channel). */
  registry: Registry;
  /** Webhook routes, mounted on the HTTP app before it listens. */
  router?: Router;
  /** Checks credentials and loads the bot's identity; runs before the HTTP server starts. */
  init(): Promise<void>;
  /** Starts receiving updates (long polling, or registering the webhook once HTTP listens). */
  start(): Promise<void>;
  /** Stops taking new updates and waits for the ones in hand. */
  stop(): Promise<void>;
  isUp(): boolean;
  /** One line for the start-up banner, e.g. "@salon_mai_bot, long polling". */
  describe(): string;
}

/**
 * How many messages one person may send in a short while before the bot asks them to slow
 * down (and ignores the rest of the burst): enough for quick typing, not for a flood.
 */
export const PER_PERSON_RATE_LIMIT = { messages: 5, seconds: 3 } as const;

/**
 * Thrown for an update another process (or another delivery of it) is handling right now:
 * the platform is asked to deliver it again later instead of it being dropped or doubled.
 */
export class UpdateBusyError extends Error {
  constructor(readonly updateKey: string) {
    super(`update ${updateKey} is being handled elsewhere`);
    this.name = 'UpdateBusyError';
  }
}
