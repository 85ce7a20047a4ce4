import type { Types } from 'mongoose';
import { normalizeCode, VOUCHER_CODE_LENGTH, withUniqueCode } from '../domain/codes.js';
import { voucherExpiry } from '../domain/loyalty.js';
import { dayKey } from '../domain/schedule.js';
import type { Voucher } from '../db/models/voucher.js';
import type { Reward } from '../program/schema.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { PointsLedger } from './points.js';
import { findEach } from '../db/each-value.js';

export type RedeemResult =
  | { ok: true; voucher: Voucher; customerName: string }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'invalid_code' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'own_voucher' }
  | { ok: false; reason: 'already_redeemed'; redeemedAt: Date }
  | { ok: false; reason: 'expired'; expiresAt: Date }
  | { ok: false; reason: 'cancelled' };

export type CancelResult = { ok: true; voucher: Voucher } | { ok: false; reason: 'not_found' } | ({ voucher: Voucher } & VoucherRefusal);

/** Why a known voucher cannot be used (or cancelled) now. */
type VoucherRefusal = Extract<RedeemResult, { reason: 'already_redeemed' | 'expired' | 'cancelled' }>;

/** Marks a redemption claim taken by a cancellation rather than by staff at the counter. */
const CANCEL_PREFIX = 'cancel:';

export function createVoucherService(
  ctx: Pick<ServicePieces, 'program' | 'timezone' | 'now' | 'access' | 'audit' | 'flags' | 'claims'> & {
    models: Pick<Models, 'Voucher' | 'Customer'>;
  },
  points: PointsLedger,
) {
  const { models, program } = ctx;

  /**
   * Issues a reward once per cause key. A bonus-points reward also credits the points (keyed
   * by the same cause) and is marked redeemed at once. Its owner is told by the event that
   * gave it (see visits), in one message with the rest of that event.
   */
  async function issue(
    customerId: Types.ObjectId,
    reward: Reward,
    cause: Voucher['cause'],
    causeKey: string,
    validityDays = program.vouchers.validityDays,
  ): Promise<Voucher> {
    const issuedAt = ctx.now();
    // Inserted at once (the first issue is the usual case): a duplicate key means either the
    // cause was issued before, by a retry or another writer (return that one), or the random
    // code collided (try another code).
    const voucher = await withUniqueCode(
      VOUCHER_CODE_LENGTH,
      async (code) => {
        try {
          const created = await models.Voucher.create({
            code,
            causeKey,
            customerId,
            cause,
            reward,
            status: 'active',
            issuedAt,
            issuedDay: dayKey(issuedAt, ctx.timezone),
            expiresAt: voucherExpiry(issuedAt, validityDays, ctx.timezone),
          });
          return created.toObject<Voucher>();
        } catch (error) {
          const earlier = isDuplicateKey(error) ? await models.Voucher.findOne({ causeKey }).lean<Voucher>() : null;
          if (earlier) return earlier;
          throw error;
        }
      },
      isDuplicateKey,
    );
    if (voucher.reward?.kind === 'bonus_points') {
      await points.add(customerId, voucher.reward.value ?? 0, 'bonus', `voucher:${voucher.code}`);
      await models.Voucher.updateOne(
        { _id: voucher._id, status: 'active' },
        { $set: { status: 'redeemed', redeemedAt: issuedAt, redeemedDay: dayKey(issuedAt, ctx.timezone) } },
      );
    }
    return voucher;
  }

  /** Whether the reward of this cause was issued already. */
  async function issued(causeKey: string): Promise<boolean> {
    return !!(await models.Voucher.exists({ causeKey }));
  }

  /**
   * Marks an active, unexpired voucher redeemed for staff at the counter. The redemption
   * claim makes it once only under races; the status field follows it.
   */
  async function redeem(actor: Actor, rawCode: string): Promise<RedeemResult> {
    const allowed = await ctx.access.authorize(actor, 'redeem', ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    const code = normalizeCode(rawCode, { min: VOUCHER_CODE_LENGTH, max: VOUCHER_CODE_LENGTH });
    if (!code) return { ok: false, reason: 'invalid_code' };
    const found = await models.Voucher.findOne({ code }).lean<Voucher>();
    if (!found) {
      await ctx.audit.action(actor, 'redeem', 'not_found', undefined, { code });
      return { ok: false, reason: 'not_found' };
    }
    if (found.customerId.equals(actor.customerId)) {
      await ctx.flags.raise(`own_voucher:${code}`, 'staff_redeems_own_voucher', actor.customerId, { code });
      await ctx.audit.action(actor, 'redeem', 'own_voucher', found.customerId, { code });
      return { ok: false, reason: 'own_voucher' };
    }
    const now = ctx.now();
    let result: RedeemResult;
    if (found.status !== 'active' || found.expiresAt <= now) {
      result = await refusal(found, now);
    } else if (await ctx.claims.take(`redeem:${String(found._id)}`, String(actor.customerId))) {
      const redeemed = await models.Voucher.findOneAndUpdate(
        { _id: found._id },
        { $set: { status: 'redeemed', redeemedAt: now, redeemedDay: dayKey(now, ctx.timezone), redeemedBy: actor.customerId } },
        { returnDocument: 'after' },
      ).lean<Voucher>();
      const owner = await models.Customer.findById(found.customerId, { name: 1 }).lean();
      result = { ok: true, voucher: redeemed ?? found, customerName: owner?.name ?? '' };
    } else {
      result = await refusal(found, now);
    }
    await ctx.audit.action(actor, 'redeem', result.ok ? 'redeemed' : result.reason, found.customerId, { code });
    return result;
  }

  /** Why a voucher cannot be redeemed now; a won redemption claim counts as redeemed (or cancelled, see cancelUnused). */
  async function refusal(voucher: Voucher, now: Date): Promise<VoucherRefusal> {
    const redemption = await ctx.claims.holder(`redeem:${String(voucher._id)}`);
    if (voucher.status === 'cancelled' || redemption?.by?.startsWith(CANCEL_PREFIX)) return { ok: false, reason: 'cancelled' };
    if (voucher.status === 'redeemed' || redemption) {
      return { ok: false, reason: 'already_redeemed', redeemedAt: voucher.redeemedAt ?? redemption?.at ?? now };
    }
    return { ok: false, reason: 'expired', expiresAt: voucher.expiresAt };
  }

  /**
   * Cancels the unused vouchers of these causes (a referral confirmed as fraud). A cancellation
   * takes the same claim as a redemption, so a voucher is either used at the counter or
   * cancelled, never both; a retry with the same `by` finishes its own cancellation.
   */
  async function cancelUnused(causeKeys: string[], by: string): Promise<{ cancelled: Voucher[]; used: Voucher[] }> {
    const found = await findEach(causeKeys, (causeKey) => models.Voucher.find({ causeKey }).lean<Voucher[]>());
    for (const voucher of found.filter((v) => v.status === 'active')) {
      const ours = await ctx.claims.takeOrHold(`redeem:${String(voucher._id)}`, `${CANCEL_PREFIX}${by}`);
      if (ours) await models.Voucher.updateOne({ _id: voucher._id, status: 'active' }, { $set: { status: 'cancelled', cancelledAt: ctx.now() } });
    }
    const after = await findEach(causeKeys, (causeKey) => models.Voucher.find({ causeKey }).lean<Voucher[]>());
    return { cancelled: after.filter((v) => v.status === 'cancelled'), used: after.filter((v) => v.status === 'redeemed') };
  }

  /**
   * The owner cancels one voucher by its code (see corrections): refused when it is used,
   * expired, cancelled already or unknown. `by` names the request, so its retry answers as the
   * first try did and a second request for the same voucher hears it was cancelled.
   */
  async function cancelByCode(rawCode: string, by: string, holderId?: Types.ObjectId): Promise<CancelResult> {
    const code = normalizeCode(rawCode, { min: VOUCHER_CODE_LENGTH, max: VOUCHER_CODE_LENGTH });
    const found = code ? await models.Voucher.findOne({ code }).lean<Voucher>() : null;
    if (!found || (holderId && !found.customerId.equals(holderId))) return { ok: false, reason: 'not_found' };
    const claim = `redeem:${String(found._id)}`;
    const ours = (await ctx.claims.holder(claim))?.by === `${CANCEL_PREFIX}${by}`;
    const now = ctx.now();
    if (!ours && (found.status !== 'active' || found.expiresAt <= now || !(await ctx.claims.take(claim, `${CANCEL_PREFIX}${by}`)))) {
      return { ...(await refusal(found, now)), voucher: found };
    }
    await models.Voucher.updateOne({ _id: found._id, status: 'active' }, { $set: { status: 'cancelled', cancelledAt: now } });
    return { ok: true, voucher: { ...found, status: 'cancelled' } };
  }

  /** Marks every active voucher past its expiry as expired; returns how many. */
  async function expireDue(): Promise<number> {
    const result = await models.Voucher.updateMany({ status: 'active', expiresAt: { $lte: ctx.now() } }, { $set: { status: 'expired' } });
    return result.modifiedCount;
  }

  /** A customer's vouchers still usable, soonest expiry first. */
  async function listActive(customerId: Types.ObjectId): Promise<Voucher[]> {
    return models.Voucher.find({ customerId, status: 'active', expiresAt: { $gt: ctx.now() } })
      .sort({ expiresAt: 1 })
      .lean<Voucher[]>();
  }

  return { issue, issued, redeem, expireDue, listActive, cancelUnused, cancelByCode };
}

export type VoucherService = ReturnType<typeof createVoucherService>;
