import { setTimeout as sleep } from 'node:timers/promises';
import { autoRetry } from '@grammyjs/auto-retry';
import express, { type Router } from 'express';
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, Keyboard, webhookCallback, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { isDatabaseUnavailable } from '../../db/connection.js';
import { telegramStartLink } from '../../domain/links.js';
import { isLocale, type Locale } from '../../i18n.js';
import { PER_PERSON_RATE_LIMIT, UpdateBusyError, type ChatChannel, type ChatChannelDeps } from '../channel.js';
import { createConversation, MEMBER_CARD_PREFIX } from '../conversation/conversation.js';
import type { Incoming, Reply } from '../conversation/reply.js';
import type { MessageSender, SendResult } from '../sender.js';

export type TelegramChannelDeps = ChatChannelDeps;

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** The command a failed message was (`/visit`), for the log; never the text itself, which may hold a phone number. */
function commandName(text: string | undefined): string | undefined {
  return /^\/[a-z]{1,20}\b/i.exec(text ?? '')?.[0];
}

/** Maps a failed Bot API call to what the notifier should do about it. */
export function classifyTelegramError(error: unknown): SendResult {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) {
      return { ok: false, kind: 'retry', reason: error.description, retryAfterMs: (error.parameters.retry_after ?? 1) * 1000 };
    }
    // Blocked by the user, user deactivated, chat gone: retrying will never help.
    if (error.error_code === 403 || (error.error_code === 400 && /chat not found|user not found/i.test(error.description))) {
      return { ok: false, kind: 'permanent', reason: error.description };
    }
    return { ok: false, kind: error.error_code >= 500 ? 'retry' : 'permanent', reason: error.description };
  }
  if (error instanceof HttpError) return { ok: false, kind: 'retry', reason: error.message };
  return { ok: false, kind: 'retry', reason: String(error) };
}

function keyboardOf(reply: Reply): InlineKeyboard | Keyboard | undefined {
  if (reply.requestContact) {
    return new Keyboard().requestContact('📱').oneTime().resized();
  }
  if (!reply.buttons?.length) return undefined;
  const keyboard = new InlineKeyboard();
  for (const row of reply.buttons) {
    for (const button of row) {
      if ('url' in button) keyboard.url(button.label, button.url);
      // Callback data is the one-time card reference (at most 19 bytes), never the command.
      else if (button.ref) keyboard.text(button.label, button.ref);
      else throw new Error('a button left the conversation without its action card');
    }
    keyboard.row();
  }
  return keyboard;
}

/** Sends one channel-neutral reply: photo with caption, or text, with its buttons. */
async function sendReply(bot: Bot, chatId: number | string, reply: Reply): Promise<void> {
  const reply_markup = keyboardOf(reply);
  if (reply.photo) {
    await bot.api.sendPhoto(chatId, new InputFile(reply.photo, 'qr.png'), { caption: reply.text, reply_markup });
  } else {
    await bot.api.sendMessage(chatId, reply.text, { reply_markup, link_preview_options: { is_disabled: true } });
  }
}

/**
 * The Telegram bot on grammY: updates become the shared conversation's input, its
 * replies become Telegram messages. Long polling for development, a webhook (secret
 * checked by grammY, wrong secret answered 401) for production.
 */
export function createTelegramChannel(deps: TelegramChannelDeps): ChatChannel & { sender: MessageSender; bot: Bot } {
  const { services, i18n, logger } = deps;
  const bot = new Bot(deps.token, { client: { apiRoot: deps.apiRoot } });
  // Replies wait out short 429s; long waits surface to the notifier, which reschedules.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 5 }));
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
      referral: (code) => startLink(code),
      startLink,
      memberCard: (memberToken) => startLink(`${MEMBER_CARD_PREFIX}${memberToken}`),
    },
  );

  /** The language Telegram reports for the person, else the shop's: needs no database. */
  function appLocale(ctx: Context): Locale {
    const fromApp = ctx.from?.language_code?.slice(0, 2);
    return isLocale(fromApp) ? fromApp : i18n.defaultLocale;
  }

  async function localeOf(ctx: Context): Promise<Locale> {
    const customer = ctx.from ? await services.customers.findByIdentity(`telegram:${ctx.from.id}`) : undefined;
    return customer && isLocale(customer.locale) ? customer.locale : appLocale(ctx);
  }

  // Each update is handled once and counts as handled only once it was (see services.updates).
  // The database being unreachable propagates: the webhook answers 5xx and polling does not
  // acknowledge, so the update comes again. Anything else is logged and answered with an
  // apology built from memory only (the error may be the database's).
  bot.use(async (ctx, next) => {
    const key = `telegram:${ctx.update.update_id}`;
    const outcome = await services.updates.handleOnce(key, async () => {
      try {
        await next();
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        logger.error({ err: error, updateId: ctx.update.update_id, chatId: ctx.chat?.id, command: commandName(ctx.message?.text) }, 'telegram update failed');
        if (ctx.chat) await ctx.reply(i18n.forLocale(appLocale(ctx))('common:genericError')).catch(() => undefined);
      }
    });
    if (outcome === 'busy') throw new UpdateBusyError(key);
  });

  // The flood limit is shared by every process (services.limits); the first message over it
  // gets one "slow down", the rest of the burst is dropped.
  bot.use(async (ctx, next) => {
    if (!ctx.from) return next();
    const sentAt = ctx.message ? new Date(ctx.message.date * 1000) : new Date();
    const verdict = await services.limits.flood(`telegram:${ctx.from.id}`, sentAt, PER_PERSON_RATE_LIMIT);
    if (verdict === 'ok') return next();
    if (verdict === 'first_over') {
      const locale = await localeOf(ctx).catch(() => appLocale(ctx));
      await ctx.reply(i18n.forLocale(locale)('bot:slowDown'));
    }
  });

  bot.chatType('private').on(['message:text', 'message:contact', 'callback_query:data'], async (ctx) => {
    // A retried update answers again, which Telegram refuses (query too old): not a reason to fail the press.
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    const from = ctx.from;
    const contact = ctx.message?.contact;
    const incoming: Incoming = {
      identity: `telegram:${from.id}`,
      chatId: String(ctx.chat.id),
      displayName: [from.first_name, from.last_name].filter(Boolean).join(' '),
      languageCode: from.language_code,
      text: ctx.message?.text,
      pressed: ctx.callbackQuery?.data,
      contactPhone: contact?.phone_number,
      // Only a contact the person shares of themselves verifies the number.
      contactVerified: contact?.user_id === from.id,
      requestKey: `telegram:${ctx.update.update_id}`,
    };
    for (const reply of await conversation.handle(incoming)) await sendReply(bot, ctx.chat.id, reply);
  });

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
        pollingHealthy = true;
      } catch (error) {
        if (!running) return;
        pollingHealthy = false;
        logger.warn({ err: error }, 'telegram getUpdates failed; retrying in 3 s');
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

  const sender: MessageSender = {
    channel: 'telegram',
    async send(chatId, message) {
      try {
        if (message.photo) {
          await bot.api.sendPhoto(chatId, new InputFile(message.photo.png, 'qr.png'), { caption: message.text });
        } else {
          await bot.api.sendMessage(chatId, message.text, { link_preview_options: { is_disabled: true } });
        }
        return { ok: true };
      } catch (error) {
        return classifyTelegramError(error);
      }
    },
  };

  async function setCommandMenus(): Promise<void> {
    for (const locale of ['vi', 'en'] as const) {
      const t = i18n.forLocale(locale);
      await bot.api.setMyCommands(
        [
          { command: 'link', description: t('bot:menu.link') },
          { command: 'me', description: t('bot:menu.me') },
          { command: 'rewards', description: t('bot:menu.rewards') },
          { command: 'phone', description: t('bot:menu.phone') },
          { command: 'lang', description: t('bot:menu.lang') },
          { command: 'help', description: t('bot:menu.help') },
        ],
        locale === i18n.defaultLocale ? {} : { language_code: locale },
      );
    }
  }

  return {
    name: 'telegram',
    router,
    bot,
    sender,
    async init() {
      await bot.init();
    },
    async start() {
      await setCommandMenus();
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
      // Acknowledge what was handled, so the next start does not fetch it again.
      await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }).catch(() => undefined);
    },
    isUp: () => running && (deps.mode === 'webhook' || pollingHealthy),
    describe: () => `@${username()}, ${deps.mode === 'webhook' ? 'webhook' : 'long polling'}`,
  };
}
