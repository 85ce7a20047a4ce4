import { isLocale } from '../../i18n.js';
import type { PressResult } from '../../services/actions.js';
import type { Actor } from '../../services/index.js';
import { createActionCards } from './action-cards.js';
import { parseCommand, type Command, type CommandName } from './commands.js';
import { createConnectReplies } from './connect-replies.js';
import { createCustomerReplies } from './customer-replies.js';
import type { ChannelTraits, ConversationDeps, Links, Session } from './kit.js';
import { createOwnerReplies } from './owner-replies.js';
import type { Incoming, Reply } from './reply.js';
import { createStaffReplies } from './staff-replies.js';
import { createStartReplies } from './start-replies.js';

export type { ChannelTraits, ConversationDeps, Links } from './kit.js';
export { MEMBER_CARD_PREFIX, STAFF_INVITE_PREFIX } from './kit.js';

const usageKeys: Record<CommandName, string> = {
  start: 'bot:usage.start',
  help: 'bot:usage.help',
  lang: 'bot:usage.lang',
  link: 'bot:usage.link',
  me: 'bot:usage.me',
  rewards: 'bot:usage.rewards',
  phone: 'bot:usage.phone',
  confirm: 'bot:usage.confirm',
  visit: 'bot:usage.visit',
  redeem: 'bot:usage.redeem',
  find: 'bot:usage.find',
  stats: 'bot:usage.stats',
  summary: 'bot:usage.summary',
  staff: 'bot:usage.staff',
  flags: 'bot:usage.flags',
  flag: 'bot:usage.flag',
  program: 'bot:usage.program',
  dashboard: 'bot:usage.dashboard',
  connect: 'connect:usage',
  newqr: 'card:usage.newqr',
};

/**
 * The whole conversation, channel-neutral: an incoming message becomes a command, the
 * command becomes one service call, and the result becomes replies in the person's
 * language. Telegram and Zalo only translate their updates in and these replies out.
 * Each feature's replies live in their own module; this file only routes.
 */
export function createConversation(deps: ConversationDeps, links: Links, traits: ChannelTraits = { bareCodes: false, typedPhone: false, numberedChoices: false }) {
  const { services, i18n } = deps;
  const kit = { ...deps, links, traits };
  const customer = createCustomerReplies(kit);
  const staff = createStaffReplies(kit);
  const owner = createOwnerReplies(kit);
  const start = createStartReplies(kit, customer, staff);
  const connect = createConnectReplies(kit);
  const actionCards = createActionCards(kit);

  /** The answer to one message; its buttons are registered as one-time cards for this person. */
  async function handle(incoming: Incoming): Promise<Reply[]> {
    return actionCards.register(incoming.identity, await answer(incoming));
  }

  async function answer(incoming: Incoming): Promise<Reply[]> {
    const appLocale = incoming.languageCode?.slice(0, 2);
    const joined = await services.customers.join({
      identity: incoming.identity,
      chatId: incoming.chatId,
      displayName: incoming.displayName,
      locale: isLocale(appLocale) ? appLocale : i18n.defaultLocale,
    });
    const session: Session = { customer: joined.customer, locale: joined.customer.locale, t: i18n.forLocale(joined.customer.locale) };
    const actor: Actor = { customerId: joined.customer._id, identity: incoming.identity };

    if (incoming.contactPhone) return customer.sharePhone(session, incoming.contactPhone, incoming.contactVerified === true);
    if (incoming.pressed !== undefined) return pressed(session, actor, incoming, await services.actions.press(incoming.identity, incoming.pressed));
    const number = traits.numberedChoices ? /^\s*(\d{1,2})\s*$/.exec(incoming.text ?? '')?.[1] : undefined;
    const choice = number ? await services.actions.pressNumber(incoming.identity, Number(number)) : undefined;
    if (choice) return pressed(session, actor, incoming, choice);
    const parsed = parseCommand(incoming.text ?? '');
    if (!parsed.ok && parsed.reason === 'not_a_command' && traits.bareCodes) {
      const bare = await start.bareMessage(session, actor, incoming.text ?? '', joined.created);
      if (bare) return bare;
    }
    if (!parsed.ok) {
      if (parsed.reason === 'usage') return [{ text: session.t('bot:usageIntro', { usage: session.t(usageKeys[parsed.command]) }) }];
      return joined.created ? customer.welcome(session) : [{ text: session.t('bot:notUnderstood') }];
    }
    return run(parsed.command, session, actor, incoming, joined.created);
  }

  /** Runs a claimed card's action once, keyed by the card, and remembers what it answered. */
  async function pressed(s: Session, actor: Actor, incoming: Incoming, result: PressResult): Promise<Reply[]> {
    if (!result.ok) return actionCards.refusal(s, result);
    const parsed = parseCommand(result.action);
    let replies: Reply[];
    try {
      replies = parsed.ok ? await run(parsed.command, s, actor, { ...incoming, requestKey: result.requestKey }, false) : [{ text: s.t('common:genericError') }];
    } catch (error) {
      // Not done, so not marked done: the press can be retried.
      await services.actions.release(result.token).catch(() => undefined);
      throw error;
    }
    await services.actions.recordOutcome(result.token, replies[0]?.text ?? '');
    return replies;
  }

  async function run(command: Command, s: Session, actor: Actor, incoming: Incoming, created: boolean): Promise<Reply[]> {
    switch (command.name) {
      case 'start':
        if (command.payload) return start.startWithPayload(s, actor, command.payload);
        return created || !s.customer.localeChosen ? customer.welcome(s) : customer.help(s);
      case 'help':
        return customer.help(s);
      case 'lang':
        return command.locale ? customer.setLanguage(s, command.locale) : [customer.languageChoice(s.t)];
      case 'link':
        return customer.inviteLink(s);
      case 'me':
        return customer.myStatus(s);
      case 'newqr':
        return customer.newMemberQr(s);
      case 'rewards':
        return customer.myRewards(s);
      case 'phone':
        return command.phone ? customer.sharePhone(s, command.phone, false) : customer.askPhone(s);
      case 'program':
        return customer.programRules(s);
      case 'confirm':
        return staff.confirmFirstVisit(s, actor, command.query, command.amount);
      case 'visit':
        return staff.recordVisit(s, actor, command.query, command.amount, incoming.requestKey);
      case 'redeem':
        return staff.redeem(s, actor, command.code);
      case 'find':
        return staff.find(s, actor, command.query);
      case 'stats':
        return owner.stats(s, actor, command.period);
      case 'summary':
        return owner.summary(s, actor);
      case 'staff':
        return owner.staff(s, actor, command);
      case 'flags':
        return owner.flags(s, actor);
      case 'flag':
        return owner.resolveFlag(s, actor, command.flagId, command.decision);
      case 'dashboard':
        return command.logout ? owner.endDashboardSessions(s, actor) : owner.dashboardLink(s, actor);
      case 'connect':
        return connect.connect(s, actor, command);
    }
  }

  return { handle };
}

export type Conversation = ReturnType<typeof createConversation>;
