import type { Router } from 'express';

export type ChannelName = 'telegram' | 'zalo';

/** A running chat channel, as the composition root drives it. */
export interface ChatChannel {
  name: ChannelName;
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
