import { cleanDisplayName } from '../../domain/names.js';
import { isLocale } from '../../i18n.js';
import type { PressResult } from '../../services/actions.js';
import { createActionCards } from './action-cards.js';
import { createConsentFeature } from './features/consent.js';
import { createCorrectionsFeature } from './features/corrections.js';
import { createCustomerFeature } from './features/customer.js';
import { createErasureFeature } from './features/erasure.js';
import { createLinkAppsFeature } from './features/link-apps.js';
import { createMembersFeature } from './features/members.js';
import { createOwnerFeature } from './features/owner.js';
import { createPartnerFeature } from './features/partner.js';
import { createPersonalDataFeature } from './features/personal-data.js';
import { createReviewsFeature } from './features/reviews.js';
import { createStaffFeature } from './features/staff.js';
import { createStartFeature } from './features/start.js';
import { createWalletFeature } from './features/wallet.js';
import type { ChannelTraits, ConversationDeps, ConversationKit, Links, PersonChanged, Session } from './kit.js';
import { createRegistry, type Parsed, type Turn } from './registry.js';
import type { Incoming, Reply } from './reply.js';

export type { ChannelTraits, ConversationDeps, Links, PersonChanged, Session } from './kit.js';
export { MEMBER_CARD_PREFIX, STAFF_INVITE_PREFIX } from './kit.js';
export type { Turn } from './registry.js';

const noTraits: ChannelTraits = { bareCodes: false, typedPhone: false, numberedChoices: false, noFiles: false };

/**
 * The whole conversation, channel-neutral. This file only routes: the person is joined (once
 * per message), then a pressed card, a numbered choice, a bare code or a registered command
 * answers. Every command lives in a feature module under ./features and is declared there once.
 */
export function createConversation(deps: ConversationDeps, links: Links, traits: ChannelTraits = noTraits, personChanged?: PersonChanged) {
  const { services, i18n } = deps;
  const kit: ConversationKit = {
    ...deps,
    links,
    traits,
    personChanged,
    help: (s) => [{ text: registry.help(s.t, s.customer.role) }],
    helpSection: (t, role) => registry.section(t, role),
  };
  const customer = createCustomerFeature(kit, createWalletFeature(kit));
  const staff = createStaffFeature(kit);
  // The agreement leads to the start feature's arrival, built next (called only once a button is pressed).
  const consent = createConsentFeature(kit, customer, (turn, code) => start.afterAgreement(turn, code));
  const partner = createPartnerFeature(kit, customer);
  const start = createStartFeature(kit, customer, staff, consent, partner);
  const members = createMembersFeature(kit);
  const personalData = createPersonalDataFeature(kit);
  const reviews = createReviewsFeature(kit);
  const registry = createRegistry([
    ...start.commands,
    ...customer.commands,
    ...consent.commands,
    ...createLinkAppsFeature(kit).commands,
    ...members.customerCommands,
    ...personalData.customerCommands,
    ...reviews.commands,
    ...createErasureFeature(kit).commands,
    ...staff.commands,
    ...members.staffCommands,
    ...reviews.staffCommands,
    ...createCorrectionsFeature(kit).commands,
    ...createOwnerFeature(kit).commands,
    ...partner.commands,
    ...personalData.ownerCommands,
  ]);
  const actionCards = createActionCards(kit);

  /** Loads (or creates) the person behind a message: the one load of their customer, role and language for it. */
  async function join(incoming: Incoming): Promise<Turn> {
    const appLocale = incoming.languageCode?.slice(0, 2);
    const joined = await services.customers.join({
      identity: incoming.identity,
      chatId: incoming.chatId,
      displayName: incoming.displayName,
      locale: isLocale(appLocale) ? appLocale : i18n.defaultLocale,
    });
    const s: Session = { customer: joined.customer, locale: joined.customer.locale, t: i18n.forLocale(joined.customer.locale) };
    const displayName = cleanDisplayName(incoming.displayName);
    return { s, actor: joined.actor, requestKey: incoming.requestKey, created: joined.created, displayName };
  }

  /** The answer to one message from a joined person; its buttons are registered as one-time cards for them. */
  async function answer(turn: Turn, incoming: Incoming): Promise<Reply[]> {
    return actionCards.register(incoming.identity, await route(turn, incoming));
  }

  /**
   * Before the person agreed to the privacy notice (see features/consent.ts) only the gate's
   * open commands answer; anything else, a shared phone number too, gets the notice.
   */
  async function route(turn: Turn, incoming: Incoming): Promise<Reply[]> {
    const { s } = turn;
    if (incoming.contactPhone) {
      if (!consent.agreed(s.customer)) return consent.notice(s);
      return customer.sharePhone(turn, incoming.contactPhone, incoming.contactVerified === true);
    }
    if (incoming.photo) return consent.agreed(s.customer) ? reviews.photo(turn, incoming.photo) : consent.notice(s);
    if (incoming.pressed !== undefined) return pressed(turn, await services.actions.press(incoming.identity, incoming.pressed));
    const number = traits.numberedChoices ? /^\s*(\d{1,2})\s*$/.exec(incoming.text ?? '')?.[1] : undefined;
    const choice = number ? await services.actions.pressNumber(incoming.identity, Number(number)) : undefined;
    if (choice) return pressed(turn, choice);
    const parsed = registry.parse(incoming.text ?? '');
    if (!parsed.ok && parsed.reason === 'not_a_command' && traits.bareCodes) {
      const bare = await start.bareMessage(turn, incoming.text ?? '');
      if (bare) return bare;
    }
    const held = consent.held(turn, parsed, false);
    if (held) return held;
    if (parsed.ok) return run(turn, parsed);
    if (parsed.reason === 'usage') return [{ text: s.t('bot:usageIntro', { usage: s.t(parsed.command.usage) }) }];
    return [{ text: s.t('bot:notUnderstood') }];
  }

  async function run(turn: Turn, parsed: Extract<Parsed, { ok: true }>): Promise<Reply[]> {
    return consent.afterOpenCommand(turn, parsed.command.name, await parsed.command.run(turn, parsed.args));
  }

  /** Runs a claimed card's action once, keyed by the card, and remembers what it answered. */
  async function pressed(turn: Turn, result: PressResult): Promise<Reply[]> {
    if (!result.ok) return actionCards.refusal(turn.s, result);
    const parsed = registry.parse(result.action);
    const held = consent.held(turn, parsed, true);
    if (held) {
      // Not run, so the card stays usable once the person agreed.
      await services.actions.release(result.token);
      return held;
    }
    let replies: Reply[];
    try {
      replies = parsed.ok
        ? await run({ ...turn, requestKey: result.requestKey, created: false }, parsed)
        : [{ text: turn.s.t('common:genericError') }];
    } catch (error) {
      // Not done, so not marked done: the press can be retried.
      await services.actions.release(result.token).catch(() => undefined);
      throw error;
    }
    await services.actions.recordOutcome(result.token, replies[0]?.text ?? '');
    return replies;
  }

  /** Joins and answers: for channels that need nothing of the person between the two. */
  async function handle(incoming: Incoming): Promise<Reply[]> {
    return answer(await join(incoming), incoming);
  }

  return { join, answer, handle, registry };
}

export type Conversation = ReturnType<typeof createConversation>;
