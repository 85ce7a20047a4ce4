import { cleanReason, parseAdjustment } from '../domain/corrections.js';
import { auditedQuery } from '../domain/phone.js';
import type { Customer } from '../db/models/customer.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { CustomerService } from './customers.js';
import type { PointsLedger, TierUpgrade } from './points.js';
import type { CancelResult, VoucherService } from './vouchers.js';
import { balanceOf } from '../domain/wallet.js';

export type AdjustResult =
  | { ok: true; customer: Customer; delta: number; balance: number; tierUpgrade?: TierUpgrade; tierLowered: boolean; repeated: boolean }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'malformed' | 'zero' | 'too_large' }
  | { ok: false; reason: 'missing_reason' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'ambiguous_phone' }
  /** A debit would take the balance below zero. */
  | { ok: false; reason: 'insufficient_points'; balance: number };

export type CancelVoucherResult =
  | { ok: true; voucher: Voucher; customerName: string }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'missing_reason' }
  | Exclude<CancelResult, { ok: true }>;

export type AdjustmentDeps = Pick<ServicePieces, 'access' | 'audit' | 'outbox' | 'claims'> & { models: Pick<Models, 'Customer' | 'PointsEntry'> };

/**
 * The owner's corrections of points and vouchers, each with a reason kept in the audit log and
 * said to the customer in one message. `requestKey` (the chat update) applies a request once.
 */
export function createAdjustmentService(ctx: AdjustmentDeps, customers: CustomerService, points: PointsLedger, vouchers: VoucherService) {
  const { models } = ctx;

  /** `/points <code|phone> +50|-50 <reason>`: an earned ledger entry, so lifetime points and the tier follow. */
  async function adjustPoints(actor: Actor, query: string, amount: string, rawReason: string, requestKey: string): Promise<AdjustResult> {
    const allowed = await ctx.access.authorize(actor, 'adjust_points', ['owner']);
    if (!allowed.ok) return allowed;
    const refuse = async <R extends Extract<AdjustResult, { ok: false }>>(result: R, details: Record<string, unknown> = {}): Promise<R> => {
      await ctx.audit.action(actor, 'adjust_points', result.reason, undefined, { query: auditedQuery(query), ...details });
      return result;
    };
    const parsed = parseAdjustment(amount);
    if (!parsed.ok) return refuse({ ok: false, reason: parsed.reason });
    const reason = cleanReason(rawReason);
    if (!reason) return refuse({ ok: false, reason: 'missing_reason' });
    const found = await customers.lookup(query);
    if (!found.ok) return refuse(found);
    const { customer } = found;
    const { delta } = parsed;
    const causeKey = `adjustment:${requestKey}`;
    const repeated = !!(await models.PointsEntry.exists({ causeKey }));
    if (!repeated && delta < 0 && balanceOf(customer) + delta < 0) {
      return refuse({ ok: false, reason: 'insufficient_points', balance: balanceOf(customer) }, { delta });
    }
    const totals = await points.change(customer._id, delta, 'adjustment', causeKey);
    const { balance } = totals;
    const { lowered } = delta < 0 ? await points.lowerTierToPoints(customer._id) : { lowered: false };
    const announce = async (upgrade: TierUpgrade | undefined) => {
      const tier = upgrade?.tier ?? (lowered ? (await models.Customer.findById(customer._id, { tier: 1 }).lean())?.tier : undefined);
      await ctx.outbox.record(`correction:${causeKey}`, 'correction', customer._id, {
        kind: 'points_adjusted',
        delta,
        reason,
        balance,
        ...(upgrade ? { tier: upgrade.tier, tierRaised: true } : lowered ? { tier, tierLowered: true } : {}),
      });
    };
    const tierUpgrade = await points.settleTier(customer._id, causeKey, announce, { points: totals.points });
    // Audited once per request, even when two submits of one form race past the check above.
    if (await ctx.claims.take(`adjust_audited:${causeKey}`)) {
      await ctx.audit.action(actor, 'adjust_points', 'adjusted', customer._id, { delta, reason, balance });
    }
    const after = (await models.Customer.findById(customer._id).lean<Customer>()) ?? customer;
    return { ok: true, customer: after, delta, balance, tierUpgrade, tierLowered: lowered, repeated };
  }

  /**
   * `/cancel <voucher> <reason>`: an unused voucher stops being usable; a used one stays used.
   * `holder` (a customer's code, from the back office's customer page) limits it to that
   * customer's vouchers: a code typed there for someone else's is not found.
   */
  async function cancelVoucher(actor: Actor, code: string, rawReason: string, requestKey: string, holder?: string): Promise<CancelVoucherResult> {
    const allowed = await ctx.access.authorize(actor, 'cancel_voucher', ['owner']);
    if (!allowed.ok) return allowed;
    const reason = cleanReason(rawReason);
    if (!reason) {
      await ctx.audit.action(actor, 'cancel_voucher', 'missing_reason', undefined, { code });
      return { ok: false, reason: 'missing_reason' };
    }
    const holderId = holder === undefined ? undefined : await customers.lookup(holder);
    if (holderId && !holderId.ok) return { ok: false, reason: 'not_found' };
    const result = await vouchers.cancelByCode(code, requestKey, holderId?.customer._id);
    if (!result.ok) {
      await ctx.audit.action(actor, 'cancel_voucher', result.reason, 'voucher' in result ? result.voucher.customerId : undefined, { code });
      return result;
    }
    const { voucher } = result;
    await ctx.outbox.record(`correction:cancel:${String(voucher._id)}`, 'correction', voucher.customerId, {
      kind: 'voucher_cancelled',
      voucherCode: voucher.code,
      reward: voucher.reward,
      reason,
    });
    if (await ctx.claims.take(`cancel_audited:${String(voucher._id)}`)) {
      await ctx.audit.action(actor, 'cancel_voucher', 'voucher_cancelled', voucher.customerId, { code: voucher.code, reason });
    }
    const owner = await models.Customer.findById(voucher.customerId, { name: 1, code: 1 }).lean();
    return { ok: true, voucher, customerName: owner?.name || owner?.code || '' };
  }

  return { adjustPoints, cancelVoucher };
}

export type AdjustmentService = ReturnType<typeof createAdjustmentService>;
