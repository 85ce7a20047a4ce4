import { normalizeCode } from '../../domain/codes.js';
import type { Actor } from '../../services/index.js';
import { SETUP_CODE_HOURS } from '../../services/roles.js';
import type { CustomerReplies } from './customer-replies.js';
import { rewardLabel } from './format.js';
import { MEMBER_CARD_PREFIX, STAFF_INVITE_PREFIX, type ConversationKit, type Session } from './kit.js';
import type { Reply } from './reply.js';
import type { StaffReplies } from './staff-replies.js';

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
 * Arriving with something: `/start <payload>` (a referral code, a member card, a staff invite,
 * the owner setup code), and a bare code on channels without deep links.
 */
export function createStartReplies(kit: ConversationKit, customer: CustomerReplies, staff: StaffReplies) {
  const { services, program } = kit;
  const languageChoiceIfNew = (s: Session): Reply[] => (s.customer.localeChosen ? [] : [customer.languageChoice(s.t)]);

  async function startWithPayload(s: Session, actor: Actor, payload: string): Promise<Reply[]> {
    if (payload.toLowerCase().startsWith(STAFF_INVITE_PREFIX)) {
      return [...(await acceptStaffInvite(s, actor, payload.slice(STAFF_INVITE_PREFIX.length))), ...languageChoiceIfNew(s)];
    }
    if (payload.toLowerCase().startsWith(MEMBER_CARD_PREFIX)) {
      // A customer who scans someone's member QR learns nothing, not even whether it is valid.
      // Only routing: the card service checks the role itself.
      if (s.customer.role !== 'customer') return staff.memberCard(s, actor, payload.slice(MEMBER_CARD_PREFIX.length));
      return customer.help(s);
    }
    if (await services.roles.isSetupCode(payload)) {
      const claimed = await services.roles.claimOwnership(actor, payload);
      return [{ text: claimed.ok ? `${s.t('bot:ownerClaimed')}\n\n${s.t('bot:helpOwner')}` : s.t(setupCodeRefusals[claimed.reason], { hours: SETUP_CODE_HOURS }) }];
    }
    const via = actor.identity.startsWith('zalo:') ? 'zalo' : 'telegram';
    await services.referrals.recordLinkOpen(payload, via, actor.identity);
    const result = await services.referrals.attribute(s.customer._id, payload, via);
    if (result.ok) {
      return [
        {
          text: s.t(result.duplicate ? 'bot:attributedAgain' : 'bot:attributed', {
            referrer: result.referrer.name || s.t('bot:aFriend'),
            business: program.business.name,
            reward: rewardLabel(result.friendReward, s.locale),
          }),
        },
        ...languageChoiceIfNew(s),
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

  /** On channels without deep links: a code sent on its own, or skipping the referrer question. */
  async function bareMessage(s: Session, actor: Actor, text: string, created: boolean): Promise<Reply[] | undefined> {
    const word = text.trim();
    if (/^(bỏ qua|bo qua|skip)$/i.test(word)) return [{ text: s.t('bot:referrerSkipped') }];
    const code = normalizeCode(word);
    const mayBeReferred = created || (!s.customer.referrerId && !s.customer.firstVisitAt);
    if (!code || !mayBeReferred || !(await services.referrals.findReferrer(word))) return undefined;
    return [...(created ? customer.welcome(s) : []), ...(await startWithPayload(s, actor, code))];
  }

  async function acceptStaffInvite(s: Session, actor: Actor, code: string): Promise<Reply[]> {
    const result = await services.roles.acceptStaffInvite(actor, code);
    if (!result.ok) return [{ text: s.t(staffInviteRefusals[result.reason]) }];
    if (!result.changed) return [{ text: s.t('bot:staffInviteAlready') }];
    return [{ text: `${s.t('bot:staffInviteAccepted', { business: program.business.name })}\n\n${s.t('bot:helpStaff')}` }];
  }

  return { startWithPayload, bareMessage };
}
