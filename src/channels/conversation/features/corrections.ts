import { normalizeCode } from '../../../domain/codes.js';
import { MAX_ADJUSTMENT, STAFF_UNDO_MINUTES } from '../../../domain/corrections.js';
import { normalizePhone } from '../../../domain/phone.js';
import type { AdjustResult, CancelVoucherResult } from '../../../services/adjustments.js';
import type { UndoResult } from '../../../services/corrections.js';
import { rewardLabel, tierLabel, tierText } from '../format.js';
import { lookupRefusal, type ConversationKit, type Session } from '../kit.js';
import { defineCommand, type Command } from '../registry.js';
import type { Reply } from '../reply.js';

const namesSomeone = (words: string[]) => {
  const text = words.join(' ');
  return !!normalizeCode(text) || normalizePhone(text).ok;
};

/**
 * `/undo [reason]` or `/undo <code or phone> [reason]`: the customer is the longest start of the
 * words that reads as a code or a phone number ("0912 345 678 nhầm khách"), the rest the reason.
 */
function parseUndo(args: string[]): { query?: string; reason: string } {
  for (let end = Math.min(args.length, 4); end > 0; end--) {
    if (namesSomeone(args.slice(0, end))) return { query: args.slice(0, end).join(' '), reason: args.slice(end).join(' ') };
  }
  return { reason: args.join(' ') };
}

/** `/points <code or phone> +50|-50 <reason>`: the signed number splits the customer from the reason. */
function parsePoints(args: string[]): { query: string; amount: string; reason: string } | undefined {
  const at = args.findIndex((word) => /^[+-]/.test(word));
  if (at < 1) return undefined;
  return { query: args.slice(0, at).join(' '), amount: args[at] ?? '', reason: args.slice(at + 1).join(' ') };
}

/** Corrections at the counter and by the owner: undoing a visit, adjusting points, cancelling a voucher. */
export function createCorrectionsFeature(kit: ConversationKit) {
  const { services, program } = kit;

  function common(s: Session, reason: string): Reply[] {
    if (reason === 'missing_reason') return [{ text: s.t('corrections:missingReason') }];
    return lookupRefusal(s, reason) ?? [{ text: s.t('common:genericError') }];
  }

  function undoReply(s: Session, result: UndoResult): Reply[] {
    if (!result.ok) {
      switch (result.reason) {
        case 'owner_only':
          return [{ text: s.t('corrections:undo.ownerOnly') }];
        case 'nothing_to_undo':
          return [{ text: s.t('corrections:undo.nothing') }];
        case 'too_old':
          return [{ text: s.t('corrections:undo.tooOld', { at: result.at, minutes: STAFF_UNDO_MINUTES }) }];
        case 'already_undone':
          return [{ text: s.t('corrections:undo.already', { at: result.at }) }];
        default:
          return common(s, result.reason);
      }
    }
    const name = result.customer.name || result.customer.code;
    const lines = [
      s.t(result.visit.first ? 'corrections:undo.doneFirst' : 'corrections:undo.done', { name, at: result.visit.at, points: result.pointsTakenBack }),
      result.referralReopened ? s.t('corrections:undo.referralReopened', { count: result.vouchersCancelled }) : undefined,
      result.vouchersUsed > 0 ? s.t('corrections:undo.vouchersUsed', { count: result.vouchersUsed }) : undefined,
      s.t('corrections:balanceAndTier', { points: result.customer.points, tier: tierText(s.t, program, result.customer.tier, s.locale) }),
      result.tierLowered ? s.t('corrections:tierLowered') : undefined,
      s.t('corrections:customerTold'),
    ];
    return [{ text: lines.filter(Boolean).join('\n') }];
  }

  function pointsReply(s: Session, result: AdjustResult): Reply[] {
    if (!result.ok) {
      switch (result.reason) {
        case 'malformed':
          return [{ text: s.t('corrections:points.malformed', { usage: s.t('corrections:usage.points') }) }];
        case 'zero':
          return [{ text: s.t('corrections:points.zero') }];
        case 'too_large':
          return [{ text: s.t('corrections:points.tooLarge', { max: MAX_ADJUSTMENT }) }];
        case 'insufficient_points':
          return [{ text: s.t('corrections:points.insufficient', { balance: result.balance }) }];
        default:
          return common(s, result.reason);
      }
    }
    const name = result.customer.name || result.customer.code;
    const lines = [
      s.t(result.repeated ? 'corrections:points.already' : result.delta > 0 ? 'corrections:points.added' : 'corrections:points.removed', {
        name,
        points: Math.abs(result.delta),
      }),
      s.t('corrections:balanceAndTier', { points: result.balance, tier: tierText(s.t, program, result.customer.tier, s.locale) }),
      result.tierUpgrade ? s.t('bot:customerTierUp', { name, tier: tierLabel(program, result.tierUpgrade.tier, s.locale) }) : undefined,
      result.tierLowered ? s.t('corrections:tierLowered') : undefined,
      s.t('corrections:customerTold'),
    ];
    return [{ text: lines.filter(Boolean).join('\n') }];
  }

  function cancelReply(s: Session, result: CancelVoucherResult): Reply[] {
    if (result.ok) {
      const reward = rewardLabel(result.voucher.reward, s.locale);
      return [
        {
          text: [
            s.t('corrections:cancel.done', { code: result.voucher.code, reward, name: result.customerName }),
            s.t('corrections:customerTold'),
          ].join('\n'),
        },
      ];
    }
    switch (result.reason) {
      case 'not_found':
        return [{ text: s.t('bot:voucherNotFound') }];
      case 'already_redeemed':
        return [{ text: s.t('corrections:cancel.redeemed', { at: result.redeemedAt }) }];
      case 'expired':
        return [{ text: s.t('corrections:cancel.expired', { at: result.expiresAt }) }];
      case 'cancelled':
        return [{ text: s.t('bot:voucherCancelled') }];
      default:
        return common(s, result.reason);
    }
  }

  const commands: Command[] = [
    defineCommand({
      name: 'undo',
      role: 'staff',
      usage: 'corrections:usage.undo',
      menu: 'corrections:menu.undo',
      parse: parseUndo,
      run: async ({ s, actor, requestKey }, { query, reason }) => undoReply(s, await services.corrections.undo(actor, query, reason, requestKey)),
    }),
    defineCommand({
      name: 'points',
      role: 'owner',
      usage: 'corrections:usage.points',
      menu: 'corrections:menu.points',
      parse: parsePoints,
      run: async ({ s, actor, requestKey }, { query, amount, reason }) =>
        pointsReply(s, await services.adjustments.adjustPoints(actor, query, amount, reason, requestKey)),
    }),
    defineCommand({
      name: 'cancel',
      role: 'owner',
      usage: 'corrections:usage.cancel',
      menu: 'corrections:menu.cancel',
      parse: (args) => (args[0] ? { code: args[0], reason: args.slice(1).join(' ') } : undefined),
      run: async ({ s, actor, requestKey }, { code, reason }) =>
        cancelReply(s, await services.adjustments.cancelVoucher(actor, code, reason, requestKey)),
    }),
  ];

  return { commands };
}
