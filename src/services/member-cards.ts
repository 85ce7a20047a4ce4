import type { Types } from 'mongoose';
import { generateCode } from '../domain/codes.js';
import { runningUntil } from '../domain/membership.js';
import type { Customer } from '../db/models/customer.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { CustomerService } from './customers.js';
import type { VoucherService } from './vouchers.js';

/** 31^16, about 2^79: not guessable, and still short enough to paste into a Zalo chat. */
const MEMBER_TOKEN_LENGTH = 16;
const MEMBER_TOKEN_PATTERN = /^[A-Z2-9]{16}$/;

/** What staff see of a customer at the counter. */
export interface CustomerCard {
  customer: Customer;
  /** The last 3 digits only: enough to tell two people apart, not to learn the number. */
  phone?: { end: string; verified: boolean };
  voucherCount: number;
  /** The vouchers staff may redeem from this card: only when it was opened with the member QR. */
  redeemable: Voucher[];
  /** The end of the paid membership, while it runs. */
  memberUntil?: Date;
}

export type OpenCardResult =
  { ok: true; card: CustomerCard } | { ok: false; reason: 'not_allowed' | 'not_found' | 'ambiguous_phone' | 'invalid_member_qr' };

export type CardRef = { query: string } | { memberToken: string };

/**
 * The member QR's secret token, and the customer card staff open with it or with a code or
 * phone. Knowing someone's code or number finds them; only their member QR (or a voucher's own
 * code) spends their vouchers.
 */
export function createMemberCardService(
  ctx: Pick<ServicePieces, 'access' | 'now'> & { models: Pick<Models, 'MemberToken'> },
  customers: CustomerService,
  vouchers: VoucherService,
) {
  const { models } = ctx;

  /** The customer's current member token, made on first use. */
  async function tokenFor(customerId: Types.ObjectId): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const existing = await models.MemberToken.findOne({ customerId }, { token: 1 }).lean();
      if (existing) return existing.token;
      const token = generateCode(MEMBER_TOKEN_LENGTH);
      try {
        await models.MemberToken.create({ customerId, token });
        return token;
      } catch (error) {
        // A concurrent first use made one (read it on the next round), or the token collided.
        if (!isDuplicateKey(error) || attempt >= 3) throw error;
      }
    }
  }

  /** Replaces the member token: the old QR stops opening anything. */
  async function rotate(customerId: Types.ObjectId): Promise<string> {
    await models.MemberToken.deleteOne({ customerId });
    return tokenFor(customerId);
  }

  /** The customer whose member QR carries this token. */
  async function findByToken(raw: string): Promise<Customer | undefined> {
    const token = raw.trim().toUpperCase();
    if (!MEMBER_TOKEN_PATTERN.test(token)) return undefined;
    const found = await models.MemberToken.findOne({ token }, { customerId: 1 }).lean();
    return found ? customers.getById(found.customerId) : undefined;
  }

  /** The card a staff member or owner opens; refusals to anyone else are audited. */
  async function open(actor: Actor, ref: CardRef): Promise<OpenCardResult> {
    const allowed = await ctx.access.authorize(actor, 'open_card', ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    let customer: Customer | undefined;
    if ('memberToken' in ref) {
      customer = await findByToken(ref.memberToken);
      if (!customer) return { ok: false, reason: 'invalid_member_qr' };
    } else {
      const found = await customers.lookup(ref.query);
      if (!found.ok) return found;
      customer = found.customer;
    }
    const active = await vouchers.listActive(customer._id);
    return {
      ok: true,
      card: {
        customer,
        phone: customer.phone ? { end: customer.phone.slice(-3), verified: customer.phoneVerified === true } : undefined,
        voucherCount: active.length,
        redeemable: 'memberToken' in ref ? active : [],
        memberUntil: runningUntil(customer.memberUntil, ctx.now()),
      },
    };
  }

  /** Erasure: the member QR stops opening anything. */
  async function forget(customerId: Types.ObjectId): Promise<void> {
    await models.MemberToken.deleteMany({ customerId });
  }

  return { tokenFor, rotate, findByToken, open, forget };
}

export type MemberCardService = ReturnType<typeof createMemberCardService>;
