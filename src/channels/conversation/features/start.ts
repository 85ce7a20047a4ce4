import { normalizeCode } from '../../../domain/codes.js';
import { channelOf } from '../../../domain/identity.js';
import { parseReferralPayload, referralPayload, webSources, type WebVia } from '../../../domain/referral-source.js';
import type { Customer } from '../../../db/models/customer.js';
import { PARTNER_INVITE_PREFIX } from '../../../domain/links.js';
import { SETUP_CODE_HOURS } from '../../../services/roles.js';
import type { CustomerFeature } from './customer.js';
import { rewardLabel } from '../format.js';
import { MEMBER_CARD_PREFIX, STAFF_INVITE_PREFIX, type ConversationKit, type Session } from '../kit.js';
import { defineCommand, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';
import type { ConsentFeature } from './consent.js';
import type { PartnerFeature } from './partner.js';
import type { StaffFeature } from './staff.js';

const setupCodeRefusals = {
  invalid_setup_code: 'bot:ownerClaimFailed',
  setup_code_expired: 'roles:setupCodeExpired',
  owner_exists: 'roles:setupCodeOwnerExists',
} as const;

const staffInviteRefusals = {
  is_owner: 'bot:staffInviteOwner',
  invalid_invite: 'bot:staffInviteInvalid',
  issuer_not_owner: 'roles:staffInviteIssuerNotOwner',
} as const;

/**
 * Arriving: `/start`, `/start <payload>` (a referral code, a member card, a staff or partner
 * invite, the owner setup code), and a bare code on channels without deep links.
 */
export function createStartFeature(
  kit: ConversationKit,
  customer: CustomerFeature,
  staff: StaffFeature,
  consent: ConsentFeature,
  partner: Pick<PartnerFeature, 'acceptInvite'>,
) {
  const { services, program } = kit;
  const languageChoiceIfNew = (s: Session): Reply[] => (s.customer.localeChosen ? [] : [customer.languageChoice(s.t)]);

  /** The person's role changed with this message: the session and the channel's menu follow. */
  async function becameRole(s: Session, role: Customer['role']): Promise<void> {
    s.customer.role = role;
    await kit.personChanged?.(s.customer);
  }

  async function startWithPayload(turn: Turn, payload: string): Promise<Reply[]> {
    const { s, actor } = turn;
    if (payload.toLowerCase().startsWith(STAFF_INVITE_PREFIX)) {
      return [...(await acceptStaffInvite(turn, payload.slice(STAFF_INVITE_PREFIX.length))), ...languageChoiceIfNew(s)];
    }
    if (payload.toLowerCase().startsWith(PARTNER_INVITE_PREFIX)) {
      // A partner shares their link, which needs the notice agreed to first.
      const accepted = await partner.acceptInvite(turn, payload.slice(PARTNER_INVITE_PREFIX.length));
      return [...accepted, ...(consent.agreed(s.customer) ? languageChoiceIfNew(s) : consent.notice(s))];
    }
    if (payload.toLowerCase().startsWith(MEMBER_CARD_PREFIX)) {
      // A customer who scans someone's member QR learns nothing, not even whether it is valid.
      // Only routing: the card service checks the role itself.
      if (s.customer.role !== 'customer') return staff.memberCard(s, actor, payload.slice(MEMBER_CARD_PREFIX.length));
      return kit.help(s);
    }
    if (await services.roles.isSetupCode(payload)) {
      const claimed = await services.roles.claimOwnership(actor, payload);
      if (!claimed.ok) return [{ text: s.t(setupCodeRefusals[claimed.reason], { hours: SETUP_CODE_HOURS }) }];
      await becameRole(s, 'owner');
      return [{ text: `${s.t('bot:ownerClaimed')}\n\n${kit.helpSection(s.t, 'owner')}` }];
    }
    const { code, via } = parseReferralPayload(payload);
    const referrer = await services.referrals.findReferrer(code);
    if (!referrer) return [{ text: s.t('bot:attributeUnknownCode') }, ...(consent.agreed(s.customer) ? [] : consent.notice(s))];
    return arrive(turn, referrer, via);
  }

  /**
   * A referral link opened (or a code sent): counted now; the friend is attributed now, or,
   * before they agreed to the notice, at their agreement (the code, with the web source it
   * came through, waits on their record). One who came through the web page (`via`) had
   * their open counted there, and joins under that page's channel.
   */
  async function arrive(turn: Turn, referrer: Customer, via: WebVia | undefined): Promise<Reply[]> {
    const { s, actor } = turn;
    if (!via) await services.referrals.recordLinkOpen(referrer, channelOf(actor.identity), actor.identity);
    if (consent.agreed(s.customer)) return [...(await attribute(turn, referrer, via)), ...languageChoiceIfNew(s)];
    await services.consent.holdReferral(actor, s.customer, via ? referralPayload(referrer.code, via) : referrer.code);
    return consent.notice(s);
  }

  /** After agreeing: the attribution of the code the person arrived with, or the welcome. */
  async function afterAgreement(turn: Turn, referralCode: string | undefined): Promise<Reply[]> {
    const held = referralCode ? parseReferralPayload(referralCode) : undefined;
    const referrer = held ? await services.referrals.findReferrer(held.code) : undefined;
    return referrer ? attribute(turn, referrer, held?.via) : [customer.welcomeText(turn.s)];
  }

  /** Makes the person the friend of `referrer` (looked up once, by the caller) and says so. */
  async function attribute({ s, actor }: Turn, referrer: Customer, via: WebVia | undefined): Promise<Reply[]> {
    const result = await services.referrals.attribute(s.customer, referrer, via ? webSources[via] : channelOf(actor.identity));
    if (result.ok) {
      return [
        {
          text: s.t(result.duplicate ? 'bot:attributedAgain' : 'bot:attributed', {
            referrer: result.referrer.name || s.t('bot:aFriend'),
            business: program.business.name,
            reward: rewardLabel(result.friendReward, s.locale),
          }),
        },
      ];
    }
    switch (result.reason) {
      case 'unknown_code':
        return [{ text: s.t('bot:attributeUnknownCode') }];
      case 'own_code':
        return [{ text: s.t('bot:attributeOwnCode') }];
      case 'already_referred':
        return [{ text: s.t('bot:attributeAlreadyReferred', { referrer: result.referrerName || s.t('bot:aFriend') }) }];
      case 'already_customer':
        return [{ text: s.t('bot:attributeAlreadyCustomer') }];
    }
  }

  /** On channels without deep links: a referral code sent on its own, or skipping the referrer question. */
  async function bareMessage(turn: Turn, text: string): Promise<Reply[] | undefined> {
    const { s } = turn;
    const word = text.trim();
    if (/^(bỏ qua|bo qua|skip)$/i.test(word)) return consent.agreed(s.customer) ? [{ text: s.t('bot:referrerSkipped') }] : undefined;
    const mayBeReferred = !s.customer.referrerId && !s.customer.firstVisitAt;
    const { code, via } = parseReferralPayload(word);
    if (!normalizeCode(code) || !mayBeReferred) return undefined;
    const referrer = await services.referrals.findReferrer(code);
    if (!referrer) return undefined;
    return arrive(turn, referrer, via);
  }

  async function acceptStaffInvite({ s, actor, displayName }: Turn, code: string): Promise<Reply[]> {
    const result = await services.roles.acceptStaffInvite(actor, code, displayName);
    if (!result.ok) return [{ text: s.t(staffInviteRefusals[result.reason]) }];
    if (!result.changed) return [{ text: s.t('bot:staffInviteAlready') }];
    await becameRole(s, 'staff');
    return [{ text: `${s.t('bot:staffInviteAccepted', { business: program.business.name })}\n\n${kit.helpSection(s.t, 'staff')}` }];
  }

  const commands: Command[] = [
    defineCommand({
      name: 'start',
      beforeAgreement: true,
      role: 'customer',
      usage: 'commands:usage.start',
      parse: (args) => ({ payload: args[0] }),
      run: async (turn, { payload }) => {
        if (!payload && !consent.agreed(turn.s.customer)) return consent.notice(turn.s);
        // "/stop (no announcements) and /start again": offers come back on, and the person is told.
        const resumed = await consent.resumeIfStopped(turn);
        if (payload) return [...resumed, ...(await startWithPayload(turn, payload))];
        if (resumed.length > 0) return resumed;
        return turn.created || !turn.s.customer.localeChosen ? customer.welcome(turn.s) : kit.help(turn.s);
      },
    }),
  ];

  return { commands, bareMessage, afterAgreement };
}
