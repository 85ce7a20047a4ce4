import { autoRetry } from '@grammyjs/auto-retry';
import { limit } from '@grammyjs/ratelimiter';
import express, { type Router } from 'express';
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, Keyboard, webhookCallback, type Context } from 'grammy';
import { isLocale, type Locale } from '../../i18n.js';
import { PER_PERSON_RATE_LIMIT, type ChatChannel, type ChatChannelDeps } from '../channel.js';
import { createConversation, MEMBER_CARD_PREFIX } from '../conversation/conversation.js';
import type { Incoming, Reply } from '../conversation/reply.js';
import type { MessageSender, SendResult } from '../sender.js';

export type TelegramChannelDeps = ChatChannelDeps;

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** The t.me link that opens the bot with `/start <payload>` (referrals, member cards, staff invites). */
export function telegramStartLink(botUsername: string, payload: string): string {
  return `https://t.me/${encodeURIComponent(botUsername)}?start=${encodeURIComponent(payload)}`;
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
  const { services, models, i18n, logger } = deps;
  const bot = new Bot(deps.token, { client: { apiRoot: deps.apiRoot } });
  // Replies wait out short 429s; long waits surface to the notifier, which reschedules.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 5 }));
  let running = false;

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

  async function localeOf(ctx: Context): Promise<Locale> {
    const customer = ctx.from ? await services.customers.findByIdentity(`telegram:${ctx.from.id}`) : undefined;
    const fromApp = ctx.from?.language_code?.slice(0, 2);
    if (customer && isLocale(customer.locale)) return customer.locale;
    return isLocale(fromApp) ? fromApp : i18n.defaultLocale;
  }

  // An update delivered twice (webhook retry, polling restart) is handled once.
  bot.use(async (ctx, next) => {
    try {
      await models.ProcessedUpdate.create({ key: `telegram:${ctx.update.update_id}` });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return;
      throw error;
    }
    await next();
  });

  bot.use(
    limit({
      timeFrame: PER_PERSON_RATE_LIMIT.seconds * 1000,
      limit: PER_PERSON_RATE_LIMIT.messages,
      onLimitExceeded: (ctx) => {
        void localeOf(ctx)
          .then((locale) => ctx.reply(i18n.forLocale(locale)('bot:slowDown')))
          .catch((error: unknown) => logger.warn({ err: error }, 'could not send the slow-down reply'));
      },
    }),
  );

  bot.chatType('private').on(['message:text', 'message:contact', 'callback_query:data'], async (ctx) => {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
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

  bot.catch(async (error) => {
    const ctx = error.ctx;
    logger.error(
      { err: error.error, updateId: ctx.update.update_id, chatId: ctx.chat?.id, text: ctx.message?.text?.split(' ')[0] },
      'telegram update failed',
    );
    if (ctx.chat) {
      await ctx.reply(i18n.forLocale(await localeOf(ctx))('common:genericError')).catch(() => undefined);
    }
  });

  const router: Router | undefined =
    deps.mode === 'webhook'
      ? express
          .Router()
          .post(TELEGRAM_WEBHOOK_PATH, express.json(), webhookCallback(bot, 'express', { secretToken: deps.webhookSecret }))
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
      bot.start({ allowed_updates: ['message', 'callback_query'] }).catch((error: unknown) => {
        running = false;
        logger.error({ err: error }, 'telegram polling stopped');
      });
    },
    async stop() {
      running = false;
      if (deps.mode === 'polling') await bot.stop();
    },
    isUp: () => running,
    describe: () => `@${username()}, ${deps.mode === 'webhook' ? 'webhook' : 'long polling'}`,
  };
}
