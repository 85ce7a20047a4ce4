import type { Actor } from '../../services/index.js';
import type { ConfirmFirstVisitResult } from '../../services/visits.js';
import { rewardLabel, tierText, voucherLine } from './format.js';
import type { ConversationKit, Session } from './kit.js';
import type { Button, Reply } from './reply.js';

/** The counter: confirming first visits, recording visits, redeeming vouchers, the customer card. */
export function createStaffReplies(kit: ConversationKit) {
  const { services, program } = kit;

  function staffRefusal(s: Session, reason: string): Reply[] | undefined {
    switch (reason) {
      case 'not_allowed':
        return [{ text: s.t('bot:notAllowed') }];
      case 'not_found':
        return [{ text: s.t('bot:customerNotFound') }];
      case 'own_visit':
        return [{ text: s.t('bot:ownVisit') }];
      case 'invalid_amount':
        return [{ text: s.t('bot:invalidAmount') }];
      default:
        return undefined;
    }
  }

  function visitResult(s: Session, result: ConfirmFirstVisitResult, first: boolean): Reply[] {
    if (!result.ok) return staffRefusal(s, result.reason) ?? [{ text: s.t('common:genericError') }];
    const name = result.customer.name || result.customer.code;
    const lines: string[] = [];
    if (result.alreadyConfirmed) {
      lines.push(s.t(result.visit.first ? 'bot:firstVisitAlready' : 'bot:visitAlready', { name, at: result.visit.at }));
    } else {
      lines.push(
        s.t(result.visit.first ? 'bot:firstVisitConfirmed' : 'bot:visitRecorded', {
          name,
          points: result.visit.points,
          total: result.points,
        }),
      );
      if (!first && result.visit.first) lines.push(s.t('bot:visitWasFirst'));
    }
    if (result.referral) {
      lines.push(
        s.t('bot:referralConverted', {
          referrer: result.referral.referrerName || s.t('bot:aFriend'),
          friendReward: rewardLabel(result.referral.friendVoucher.reward, s.locale),
          voucher: result.referral.friendVoucher.code,
        }),
      );
    }
    if (result.referralExpired) lines.push(s.t('bot:referralExpired'));
    if (result.referralHeld) {
      const amount = result.visit.amount;
      lines.push(
        s.t('fraud:held', {
          min: result.referralHeld.minAmount,
          amount: typeof amount === 'number' ? s.t('fraud:heldAmount', { amount }) : s.t('fraud:noAmount'),
          days: program.attribution.windowDays,
        }),
      );
    }
    if (result.tierUpgrade) lines.push(s.t('bot:customerTierUp', { name, tier: result.tierUpgrade.tier }));
    return [{ text: lines.join('\n') }];
  }

  async function confirmFirstVisit(s: Session, actor: Actor, query: string, amount: number | undefined): Promise<Reply[]> {
    return visitResult(s, await services.visits.confirmFirstVisit(actor, query, amount), true);
  }

  async function recordVisit(s: Session, actor: Actor, query: string, amount: number | undefined, requestKey: string): Promise<Reply[]> {
    return visitResult(s, await services.visits.recordVisit(actor, query, amount, requestKey), false);
  }

  async function redeem(s: Session, actor: Actor, code: string): Promise<Reply[]> {
    const result = await services.vouchers.redeem(actor, code);
    if (result.ok) {
      return [
        {
          text: s.t('bot:redeemed', {
            code: result.voucher.code,
            reward: rewardLabel(result.voucher.reward, s.locale),
            name: result.customerName,
          }),
        },
      ];
    }
    switch (result.reason) {
      case 'not_allowed':
        return [{ text: s.t('bot:notAllowed') }];
      case 'invalid_code':
        return [{ text: s.t('bot:usageIntro', { usage: s.t('bot:usage.redeem') }) }];
      case 'not_found':
        return [{ text: s.t('bot:voucherNotFound') }];
      case 'own_voucher':
        return [{ text: s.t('bot:ownVoucher') }];
      case 'already_redeemed':
        return [{ text: s.t('bot:voucherAlreadyRedeemed', { at: result.redeemedAt }) }];
      case 'expired':
        return [{ text: s.t('bot:voucherExpired', { at: result.expiresAt }) }];
      case 'cancelled':
        return [{ text: s.t('bot:voucherCancelled') }];
    }
  }

  /** The customer card staff see: facts plus one-tap actions. */
  async function find(s: Session, actor: Actor, query: string): Promise<Reply[]> {
    if (!(await services.roles.isStaff(actor.customerId))) return [{ text: s.t('bot:notAllowed') }];
    const found = await services.customers.findByCodeOrPhone(query);
    if (!found) return [{ text: s.t('bot:customerNotFound') }];
    const status = await services.status.getCustomerStatus(found._id);
    if (!status) return [{ text: s.t('bot:customerNotFound') }];
    const buttons: Button[][] = [];
    if (!found.firstVisitAt) buttons.push([{ label: s.t('bot:cardConfirmButton'), action: `/confirm ${found.code}` }]);
    else buttons.push([{ label: s.t('bot:cardVisitButton'), action: `/visit ${found.code}` }]);
    for (const voucher of status.activeVouchers.slice(0, 5)) {
      buttons.push([{ label: s.t('bot:cardRedeemButton', { code: voucher.code, reward: rewardLabel(voucher.reward, s.locale) }), action: `/redeem ${voucher.code}` }]);
    }
    const lines = [
      s.t('bot:cardHeader', { name: found.name || found.code, code: found.code }),
      found.phone ? s.t('bot:cardPhone', { phone: found.phone }) : undefined,
      s.t('bot:mePoints', { points: found.points }),
      s.t('bot:meTier', { tier: tierText(s.t, program, found.tier, s.locale) }),
      found.firstVisitAt ? s.t('bot:cardVisits', { count: found.visitCount, since: found.firstVisitAt }) : s.t('bot:cardNoVisit'),
      status.activeVouchers.length > 0
        ? [s.t('bot:meVouchers'), ...status.activeVouchers.map((v) => `• ${voucherLine(s.t, v, s.locale)}`)].join('\n')
        : s.t('bot:meNoVouchers'),
    ].filter((line): line is string => !!line);
    return [{ text: lines.join('\n'), buttons }];
  }

  return { confirmFirstVisit, recordVisit, redeem, find };
}

export type StaffReplies = ReturnType<typeof createStaffReplies>;
