import { Composer, type BotError, type Context, type Filter } from 'grammy';
import type { Bot } from 'grammy';
import { isDatabaseUnavailable } from '../../db/connection.js';
import { identityOf } from '../../domain/identity.js';
import { isLocale, type I18n, type Locale, type Translate } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import type { Services } from '../../services/index.js';
import { PER_PERSON_RATE_LIMIT, UpdateBusyError } from '../channel.js';
import type { Conversation, Turn } from '../conversation/conversation.js';
import { mayUse } from '../conversation/registry.js';
import type { Incoming } from '../conversation/reply.js';
import type { createTelegramMenus } from './menus.js';
import { sendReply } from './replies.js';

/** What every update carries here: a logger tagged with it, the words to answer in and, once joined, the person. */
export interface BotFlavor {
  log: Logger;
  /** The person's language once joined, before that the app's: needs no database. */
  t: Translate;
  /** The person behind the update, loaded once by the join, with the message as the conversation reads it. */
  person?: { turn: Turn; incoming: Incoming };
}
export type BotContext = Context & BotFlavor;
type Joined = BotContext & { person: NonNullable<BotFlavor['person']> };

interface UpdateDeps {
  services: Services;
  i18n: I18n;
  logger: Logger;
  conversation: Conversation;
  menus: ReturnType<typeof createTelegramMenus>;
}

/** The command a failed message was (`/visit`), for the log; never the text itself, which may hold a phone number. */
function commandName(text: string | undefined): string | undefined {
  return /^\/[a-z]{1,20}\b/i.exec(text ?? '')?.[0];
}

/**
 * The bot's middleware, in order: tag the update (logger, language); claim it once; inside an
 * error boundary, the flood limit, the join, one composer per role (each narrowed by a filter
 * on the joined person's role) and, last, the handler for everything no composer took.
 */
export function installUpdateHandling(bot: Bot<BotContext>, deps: UpdateDeps): void {
  const { services, i18n, logger, conversation, menus } = deps;

  const appLocale = (ctx: Context): Locale => {
    const fromApp = ctx.from?.language_code?.slice(0, 2);
    return isLocale(fromApp) ? fromApp : i18n.defaultLocale;
  };

  bot.use((ctx, next) => {
    ctx.log = logger.child({ updateId: ctx.update.update_id });
    ctx.t = i18n.forLocale(appLocale(ctx));
    return next();
  });

  // Each update is handled once and counts as handled only once it was (see services.updates).
  bot.use(async (ctx, next) => {
    const key = `telegram:${ctx.update.update_id}`;
    const outcome = await services.updates.handleOnce(key, next);
    if (outcome === 'busy') throw new UpdateBusyError(key);
  });

  // The database being unreachable propagates: the webhook answers 5xx and polling does not
  // acknowledge, so the update comes again (and its claim is released). Anything else is
  // logged and answered with an apology built from memory only (the error may be the database's).
  async function onError(error: BotError<BotContext>): Promise<void> {
    const { ctx } = error;
    if (isDatabaseUnavailable(error.error)) throw error.error;
    ctx.log.error({ err: error.error, chatId: ctx.chat?.id, command: commandName(ctx.message?.text) }, 'telegram update failed');
    if (ctx.chat) await ctx.reply(ctx.t('common:genericError')).catch(() => undefined);
  }
  const guarded = bot.errorBoundary(onError);

  // The flood limit is shared by every process (services.limits); the first message over it
  // gets one "slow down", the rest of the burst is dropped.
  guarded.use(async (ctx, next) => {
    if (!ctx.from) return next();
    const identity = identityOf('telegram', ctx.from.id);
    const sentAt = ctx.message ? new Date(ctx.message.date * 1000) : new Date();
    const verdict = await services.limits.flood(identity, sentAt, PER_PERSON_RATE_LIMIT);
    if (verdict === 'ok') return next();
    if (verdict === 'first_over') {
      const known = await services.customers.findByIdentity(identity).catch(() => undefined);
      await ctx.reply((known ? i18n.forLocale(known.locale) : ctx.t)('bot:slowDown'));
    }
  });

  const incomingOf = (
    ctx: Filter<BotContext, 'message:text' | 'message:contact' | 'message:photo' | 'callback_query:data'> & { chat: { id: number } },
  ): Incoming => {
    const from = ctx.from;
    const contact = ctx.message?.contact;
    // Telegram lists a photo's sizes smallest first: the last is the one staff should see.
    const photo = ctx.message?.photo?.at(-1)?.file_id;
    return {
      identity: identityOf('telegram', from.id),
      chatId: String(ctx.chat.id),
      displayName: [from.first_name, from.last_name].filter(Boolean).join(' '),
      languageCode: from.language_code,
      text: ctx.message?.text,
      pressed: ctx.callbackQuery?.data,
      photo: photo ? { telegramFileId: photo } : undefined,
      contactPhone: contact?.phone_number,
      // Only a contact the person shares of themselves verifies the number.
      contactVerified: contact?.user_id === from.id,
      requestKey: `telegram:${ctx.update.update_id}`,
    };
  };

  const talk = guarded.chatType('private').on(['message:text', 'message:contact', 'message:photo', 'callback_query:data']);

  // The join: the one load of the person for this update. Their menu follows their role and
  // language once they were answered (a command may have changed either).
  talk.use(async (ctx, next) => {
    const incoming = incomingOf(ctx);
    const turn = await conversation.join(incoming);
    ctx.person = { turn, incoming };
    ctx.t = turn.s.t;
    ctx.log = ctx.log.child({ role: turn.s.customer.role });
    await next();
    await menus.sync(ctx.chat.id, turn.s.customer);
  });

  async function answer(ctx: Joined): Promise<void> {
    // A retried update answers again, which Telegram refuses (query too old): not a reason to fail the press.
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    const { turn, incoming } = ctx.person;
    for (const reply of await conversation.answer(turn, incoming)) await sendReply(ctx.api, incoming.chatId, reply);
  }
  const joined = (ctx: BotContext): ctx is Joined => ctx.person !== undefined;
  const hasRole =
    (role: 'staff' | 'owner') =>
    (ctx: BotContext): ctx is Joined =>
      joined(ctx) && mayUse(ctx.person.turn.s.customer.role, role);

  const { registry } = conversation;
  const customers = new Composer<BotContext>();
  customers.filter(joined).command(registry.namesOf('customer'), answer);
  const staff = new Composer<BotContext>();
  staff.filter(hasRole('staff')).command(registry.namesOf('staff'), answer);
  const owners = new Composer<BotContext>();
  owners.filter(hasRole('owner')).command(registry.namesOf('owner'), answer);
  // Last: buttons, contacts, words without a slash, bare codes, and commands of a role the
  // person lacks (the service refuses those and audits the attempt).
  const unhandled = new Composer<BotContext>();
  unhandled.filter(joined, answer);
  talk.use(customers, staff, owners, unhandled);
}
