import type { Types } from 'mongoose';
import { generateCode, normalizeCode } from '../domain/codes.js';
import type { Customer } from '../db/models/customer.js';
import type { Actor, ServiceContext } from './context.js';

const LINK_CODE_MINUTES = 15;

export type LinkAppsResult =
  | { ok: true; customer: Customer }
  | { ok: false; reason: 'invalid_code' }
  | { ok: false; reason: 'same_customer' }
  | { ok: false; reason: 'has_history' };

/**
 * One person on Telegram and Zalo becomes one customer: they ask for a one-time code in one
 * app and send it in the other, whose identity then points at the first customer. Only a
 * customer with no history of their own (no visit, referral, voucher or points) is folded
 * in, so two real histories are never merged.
 */
export function createIdentityLinkService(ctx: ServiceContext) {
  const { models } = ctx;

  async function createLinkCode(customerId: Types.ObjectId): Promise<{ code: string; minutes: number }> {
    const code = generateCode(8);
    await ctx.issueTicket(`link_code:${code}`, String(customerId), LINK_CODE_MINUTES * 60_000);
    return { code, minutes: LINK_CODE_MINUTES };
  }

  async function hasHistory(customer: Customer): Promise<boolean> {
    if (customer.firstVisitAt || customer.points > 0 || customer.referrerId || customer.role !== 'customer') return true;
    const [referrals, vouchers] = await Promise.all([
      models.Referral.exists({ referrerId: customer._id }),
      models.Voucher.exists({ customerId: customer._id }),
    ]);
    return !!referrals || !!vouchers;
  }

  async function linkApps(actor: Actor, rawCode: string): Promise<LinkAppsResult> {
    const code = normalizeCode(rawCode, { min: 8, max: 8 });
    const targetId = code ? await ctx.readTicket(`link_code:${code}`) : undefined;
    if (!targetId) return { ok: false, reason: 'invalid_code' };
    const target = await models.Customer.findById(targetId).lean<Customer>();
    if (!target) return { ok: false, reason: 'invalid_code' };
    if (target._id.equals(actor.customerId)) return { ok: false, reason: 'same_customer' };
    const current = await models.Customer.findById(actor.customerId).lean<Customer>();
    if (!current || (await hasHistory(current))) return { ok: false, reason: 'has_history' };
    if (!(await ctx.claim(`link_code:${code}`, String(actor.customerId)))) return { ok: false, reason: 'invalid_code' };

    await models.ChannelIdentity.updateOne({ identity: actor.identity }, { $set: { customerId: target._id } });
    await models.PhoneNumber.deleteMany({ customerId: current._id });
    await models.Customer.deleteOne({ _id: current._id });
    await models.Customer.updateOne({ _id: target._id }, { $set: { lastIdentity: actor.identity } });
    return { ok: true, customer: target };
  }

  return { createLinkCode, linkApps };
}
