import { parseAmount } from '../../../domain/amount.js';
import { normalizeCode } from '../../../domain/codes.js';
import { normalizePhone } from '../../../domain/phone.js';
import { balanceOf } from '../../../domain/wallet.js';
import type { Actor } from '../../../services/index.js';
import type { CardRef } from '../../../services/member-cards.js';
import type { ConfirmFirstVisitResult } from '../../../services/visits.js';
import { rewardLabel, tierLabel, tierText } from '../format.js';
import { lookupRefusal, type ConversationKit, type Session } from '../kit.js';
import { defineCommand, type Command } from '../registry.js';
import type { Button, Reply } from '../reply.js';

/**
 * A customer reference and an optional trailing amount ("ABC234 350k", "0912 345 678 200000").
 * The last word is the amount only when what comes before it names someone: in
 * "0912 345 678" the "678" is the end of the phone number.
 */
function queryAndAmount(args: string[]): { query: string; amount?: number } | undefined {
  if (args.length === 0) return undefined;
  const rest = args.slice(0, -1).join(' ');
  const amount = args.length > 1 ? parseAmount(args[args.length - 1] ?? '') : undefined;
  if (amount === undefined || !(normalizeCode(rest) || normalizePhone(rest).ok)) return { query: args.join(' ') };
  return { query: rest, amount };
}

/** The counter: confirming first visits, recording visits, redeeming vouchers, the customer card. */
export function createStaffFeature(kit: ConversationKit) {
  const { services, program } = kit;

  function staffRefusal(s: Session, reason: string): Reply[] | undefined {
    switch (reason) {
      case 'own_visit':
        return [{ text: s.t('bot:ownVisit') }];
      case 'invalid_amount':
        return [{ text: s.t('bot:invalidAmount') }];
      default:
        return lookupRefusal(s, reason);
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
        }),
      );
    }
    if (result.partnerReferral) {
      const { partnerName, friendVoucher } = result.partnerReferral;
      lines.push(
        s.t('partners:staffConverted', { partner: partnerName || s.t('bot:aFriend'), friendReward: rewardLabel(friendVoucher.reward, s.locale) }),
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
    if (result.tierUpgrade) lines.push(s.t('bot:customerTierUp', { name, tier: tierLabel(program, result.tierUpgrade.tier, s.locale) }));
    // The tier's perk, so staff apply it at the counter.
    lines.push(s.t('bot:meTier', { tier: tierText(s.t, program, result.customer.tier, s.locale) }));
    return [{ text: lines.join('\n') }];
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
        return [{ text: s.t('bot:usageIntro', { usage: s.t('commands:usage.redeem') }) }];
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

  /**
   * The card's phone number: masked but for its last digits, or, when staff looked the
   * customer up by that number, the number they typed (they know it already).
   */
  function shownPhone(s: Session, ref: CardRef, end: string): string {
    const typed = 'query' in ref ? normalizePhone(ref.query) : undefined;
    return typed?.ok && typed.phone.endsWith(end) ? s.t('phones:national', { phone: typed.phone }) : s.t('phones:masked', { phone: end });
  }

  /**
   * The customer card staff see: who it is (name, the phone masked but for its last digits and whether it is
   * verified), visit facts and the visit button. Redeem buttons only on a card opened with the
   * member QR; a card found by code or phone shows no voucher codes.
   */
  async function card(s: Session, actor: Actor, ref: CardRef): Promise<Reply[]> {
    const opened = await services.memberCards.open(actor, ref);
    if (!opened.ok) {
      if (opened.reason === 'invalid_member_qr') return [{ text: s.t('card:memberQrInvalid') }];
      return staffRefusal(s, opened.reason) ?? [{ text: s.t('common:genericError') }];
    }
    const { customer, phone, voucherCount, redeemable, memberUntil } = opened.card;
    const buttons: Button[][] = [
      customer.firstVisitAt
        ? [{ label: s.t('bot:cardVisitButton'), action: `/visit ${customer.code}` }]
        : [{ label: s.t('bot:cardConfirmButton'), action: `/confirm ${customer.code}` }],
    ];
    for (const voucher of redeemable.slice(0, 5)) {
      const label = s.t('card:redeemButton', { reward: rewardLabel(voucher.reward, s.locale), expiresAt: voucher.expiresAt });
      buttons.push([{ label, action: `/redeem ${voucher.code}` }]);
    }
    const vouchers =
      voucherCount === 0
        ? s.t('card:noVouchers')
        : redeemable.length > 0
          ? s.t('card:vouchersRedeemable', { count: voucherCount })
          : s.t('card:vouchersHidden', { count: voucherCount });
    const lines = [
      s.t('bot:cardHeader', { name: customer.name || customer.code, code: customer.code }),
      phone ? s.t(phone.verified ? 'card:phoneVerified' : 'card:phoneUnverified', { phone: shownPhone(s, ref, phone.end) }) : undefined,
      s.t('bot:mePoints', { points: customer.points, balance: balanceOf(customer) }),
      s.t('bot:meTier', { tier: tierText(s.t, program, customer.tier, s.locale) }),
      program.membership && memberUntil
        ? s.t('members:card.membership', {
            membership: program.membership.name[s.locale],
            until: memberUntil,
            perks: program.membership.perks[s.locale],
          })
        : undefined,
      customer.firstVisitAt ? s.t('bot:cardVisits', { count: customer.visitCount, since: customer.firstVisitAt }) : s.t('bot:cardNoVisit'),
      customer.importedVisits ? s.t('imports:cardImportedVisits', { count: customer.importedVisits }) : undefined,
      vouchers,
    ].filter((line): line is string => !!line);
    return [{ text: lines.join('\n'), buttons }];
  }

  const commands: Command[] = [
    defineCommand({
      name: 'confirm',
      role: 'staff',
      usage: 'commands:usage.confirm',
      menu: 'commands:menu.confirm',
      parse: queryAndAmount,
      run: async ({ s, actor }, { query, amount }) => visitResult(s, await services.visits.confirmFirstVisit(actor, query, amount), true),
    }),
    defineCommand({
      name: 'visit',
      role: 'staff',
      usage: 'commands:usage.visit',
      menu: 'commands:menu.visit',
      parse: queryAndAmount,
      run: async ({ s, actor, requestKey }, { query, amount }) =>
        visitResult(s, await services.visits.recordVisit(actor, query, amount, requestKey), false),
    }),
    defineCommand({
      name: 'redeem',
      role: 'staff',
      usage: 'commands:usage.redeem',
      menu: 'commands:menu.redeem',
      parse: (args) => (args.length === 1 && args[0] ? { code: args[0] } : undefined),
      run: ({ s, actor }, { code }) => redeem(s, actor, code),
    }),
    defineCommand({
      name: 'find',
      role: 'staff',
      usage: 'commands:usage.find',
      menu: 'commands:menu.find',
      parse: (args) => (args.length > 0 ? { query: args.join(' ') } : undefined),
      run: ({ s, actor }, { query }) => card(s, actor, { query }),
    }),
  ];

  /** The card a member QR opens (`/start m_<token>`). */
  const memberCard = (s: Session, actor: Actor, memberToken: string) => card(s, actor, { memberToken });

  return { commands, memberCard };
}

export type StaffFeature = ReturnType<typeof createStaffFeature>;
