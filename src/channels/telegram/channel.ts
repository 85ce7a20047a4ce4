import { setTimeout as sleep } from 'node:timers/promises';
import { autoRetry } from '@grammyjs/auto-retry';
import express, { type Router } from 'express';
import { Bot, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { parseIdentity } from '../../domain/identity.js';
import type { ChatChannel, ChatChannelDeps } from '../channel.js';
import { telegramStartLink } from '../../domain/links.js';
import { createConversation, MEMBER_CARD_PREFIX } from '../conversation/conversation.js';
import type { MessageSender } from '../../services/ports.js';
import { installUpdateHandling, type BotContext } from './updates.js';
import { createTelegramMenus } from './menus.js';
import { createTelegramSender } from './replies.js';
import { paceSends } from './pacing.js';
import { SendPacer, telegramLimits } from '../../domain/send-pacing.js';

export type TelegramChannelDeps = ChatChannelDeps;

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
/** How long a stop waits for Telegram to take the acknowledgement of the last updates handled. */
const STOP_ACK_TIMEOUT_MS = 5_000;

/**
 * The Telegram bot on grammY: updates become the shared conversation's input, its
 * replies become Telegram messages. Long polling for development, a webhook (secret
 * checked by grammY, wrong secret answered 401) for production.
 */
export function createTelegramChannel(deps: TelegramChannelDeps): ChatChannel & { sender: MessageSender; bot: Bot<BotContext> } {
  const { services, i18n, logger } = deps;
  const bot = new Bot<BotContext>(deps.token, { client: { apiRoot: deps.apiRoot } });
  // Replies and notifications share one pacer, so together they keep to Telegram's limits.
  const pacer = new SendPacer(telegramLimits);
  bot.api.config.use(paceSends(pacer));
  // Replies wait out a rare short 429 (another app on the same bot); long waits surface to the notifier, which reschedules.
  // Network errors surface at once: auto-retry would repeat them without end (its attempt limit
  // does not count them), so a send hung while Telegram was unreachable and so did a stop.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 5, rethrowHttpErrors: true }));
  let running = false;
  let polling: Promise<void> | undefined;
  let pollingHealthy = false;
  let stopPolling = new AbortController();
  /** The first update not yet handled; getUpdates with it acknowledges everything before it. */
  let offset = 0;

  const username = () => bot.botInfo.username;
  const startLink = (payload: string) => telegramStartLink(username(), payload);
  const conversation = createConversation(
    { services, program: deps.program, i18n, logger, publicUrl: deps.publicUrl },
    {
      network: 'telegram',
      referral: (code) => startLink(code),
      startLink,
      memberCard: (memberToken) => startLink(`${MEMBER_CARD_PREFIX}${memberToken}`),
    },
    undefined,
    // Someone's role or language changed: their Telegram chat's menu follows at once.
    async (customer) => {
      const identity = parseIdentity(customer.lastIdentity ?? '');
      if (identity?.channel === 'telegram') await menus.sync(identity.id, customer, true);
    },
  );
  const menus = createTelegramMenus(bot.api, conversation.registry, i18n, logger);

  installUpdateHandling(bot, { services, i18n, logger, conversation, menus });

  /**
   * Long polling of our own rather than bot.start(): grammY acknowledges an update even when
   * handling it failed. Here an update is acknowledged (offset moved past it) only once it
   * was handled; on failure the loop waits and fetches it again, so an outage delays
   * messages but loses none, and the loop itself never ends until stop().
   */
  async function pollLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (running) {
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          { offset, timeout: 30, allowed_updates: ['message', 'callback_query'] },
          // grammY types its signal with a polyfill's type; Node's own is what it uses at run time.
          signal as unknown as Parameters<typeof bot.api.getUpdates>[1],
        );
        if (!pollingHealthy) logger.info('telegram getUpdates works again');
        pollingHealthy = true;
      } catch (error) {
        if (!running) return;
        // Once per outage, not every 3 s while it lasts.
        if (pollingHealthy) logger.warn({ err: error }, 'telegram getUpdates failed; retrying every 3 s');
        pollingHealthy = false;
        await sleep(3000, undefined, { signal }).catch(() => undefined);
        continue;
      }
      for (const update of updates) {
        try {
          await bot.handleUpdate(update);
          offset = update.update_id + 1;
          if (failures > 0) logger.info({ updateId: update.update_id, failures }, 'telegram updates are handled again');
          failures = 0;
        } catch (error) {
          if (failures === 0) logger.warn({ err: error, updateId: update.update_id }, 'telegram update not handled; it will be fetched again');
          failures += 1;
          await sleep(Math.min(500 * 2 ** failures, 5000), undefined, { signal }).catch(() => undefined);
          break;
        }
      }
    }
  }

  const router: Router | undefined =
    deps.mode === 'webhook'
      ? express
          .Router()
          // No grammY timeout: after one, grammY leaves the handler's later failure as an
          // unhandled rejection, and answering before the update was handled could lose it.
          // Database calls give up after 10 s (serverSelectionTimeoutMS), which bounds the wait.
          .post(
            TELEGRAM_WEBHOOK_PATH,
            express.json(),
            webhookCallback(bot, 'express', { secretToken: deps.webhookSecret, timeoutMilliseconds: Infinity }),
          )
      : undefined;

  const sender = createTelegramSender(bot.api, pacer);

  return {
    name: 'telegram',
    registry: conversation.registry,
    router,
    bot,
    sender,
    async init() {
      await bot.init();
    },
    async start() {
      await menus.setDefaults();
      if (deps.mode === 'webhook') {
        await bot.api.setWebhook(`${deps.publicUrl}${TELEGRAM_WEBHOOK_PATH}`, { secret_token: deps.webhookSecret });
        running = true;
        return;
      }
      await bot.api.deleteWebhook();
      running = true;
      pollingHealthy = true;
      stopPolling = new AbortController();
      polling = pollLoop(stopPolling.signal);
    },
    async stop() {
      running = false;
      if (!polling) return;
      stopPolling.abort();
      await polling;
      polling = undefined;
      // Acknowledge what was handled, so the next start does not fetch it again (if Telegram
      // answers soon: a stop does not wait for an unreachable Telegram).
      const ack = AbortSignal.timeout(STOP_ACK_TIMEOUT_MS) as unknown as Parameters<typeof bot.api.getUpdates>[1];
      await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }, ack).catch(() => undefined);
    },
    isUp: () => running && (deps.mode === 'webhook' || pollingHealthy),
    describe: () => `@${username()}, ${deps.mode === 'webhook' ? 'webhook' : 'long polling'}`,
  };
}
