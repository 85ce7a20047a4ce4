import { Types } from 'mongoose';
import { checkReferralConversion } from '../domain/fraud.js';
import type { Customer } from '../db/models/customer.js';
import type { FraudFlag } from '../db/models/fraud-flag.js';
import type { Referral } from '../db/models/referral.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { PointsLedger } from './points.js';
import { rewardKeyOf, type ReferralService } from './referrals.js';
import type { VoucherService } from './vouchers.js';
import { findEach } from '../db/each-value.js';
import { givenName } from '../domain/names.js';

type Person = Pick<Customer, 'name' | 'code'>;

/** A flag as the owner reviews it: who is concerned, by name and code, next to the evidence. */
export type ReviewedFlag = FraudFlag & { referrer?: Person; friend?: Person; staff?: Person; customer?: Person };

/** What confirming a flag on a referral undid. */
export interface Reversal {
  vouchersCancelled: number;
  /** Vouchers of the referral already used at the counter: nothing left to cancel. */
  vouchersUsed: number;
  pointsReversed: number;
}

export type ResolveFlagResult =
  | { ok: true; flag: FraudFlag; decision: 'dismissed' | 'confirmed'; reversal?: Reversal }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'not_found' };

const WEEK_MS = 7 * 24 * 3600_000;

/** The fraud rules on referral conversions and the owner's review queue. */
export type FraudServiceDeps = Pick<ServicePieces, 'program' | 'now' | 'access' | 'audit' | 'outbox' | 'claims' | 'flags' | 'staleDays'> & {
  models: Pick<Models, 'Customer' | 'PhoneHistory' | 'Referral' | 'PointsEntry'>;
};

export function createFraudService(ctx: FraudServiceDeps, points: PointsLedger, vouchers: VoucherService, referrals: ReferralService) {
  const { models, program, access, audit, outbox, claims, flags } = ctx;

  /**
   * Runs the conversion rules on a referral that just converted and flags what fires,
   * once per rule and referral (safe to run again on a retried confirmation).
   */
  async function reviewConversion(referral: Referral, friend: Customer, referrer: Customer, staffId: Types.ObjectId): Promise<void> {
    const at = referral.convertedAt ?? ctx.now();
    // eslint-disable-next-line no-restricted-syntax -- the referrer's equality narrows the read
    const counted = { referrerId: referrer._id, status: { $in: ['converted', 'revoked'] as Array<Referral['status']> } };
    const { sameStaffBurst, maxConversionsPerReferrerPerWeek } = program.fraud;
    const [friendPhoneVerified, referrerHistory, burst, conversionsThisWeek] = await Promise.all([
      friend.phone ? models.PhoneHistory.exists({ phone: friend.phone, customerId: friend._id, verified: true }) : null,
      models.PhoneHistory.find({ customerId: referrer._id }, { phone: 1 }).lean(),
      models.Referral.find(
        { ...counted, confirmedBy: staffId, convertedAt: { $gt: new Date(at.getTime() - sameStaffBurst.minutes * 60_000), $lte: at } },
        { friendId: 1 },
      ).lean(),
      models.Referral.countDocuments({ ...counted, convertedAt: { $gt: new Date(at.getTime() - WEEK_MS), $lte: at } }),
    ]);
    const findings = checkReferralConversion(
      {
        referrerId: String(referrer._id),
        staffId: String(staffId),
        friendVerifiedPhone: friendPhoneVerified ? friend.phone : null,
        referrerPhones: [...referrerHistory.map((entry) => entry.phone), ...(referrer.phone ? [referrer.phone] : [])],
        confirmedBySameStaffRecently: burst.length,
        conversionsThisWeek,
      },
      { sameStaffBurst, maxConversionsPerReferrerPerWeek },
    );
    for (const { rule, evidence } of findings) {
      // A burst is many referrals at once: each of them is flagged, so confirming reverses them all.
      const flagged =
        rule === 'same_staff_burst' ? burst.map((r) => ({ id: r._id, friendId: r.friendId })) : [{ id: referral._id, friendId: friend._id }];
      for (const target of flagged) {
        await flags.raise(`${rule}:${String(target.id)}`, rule, target.friendId, {
          referralId: String(target.id),
          referrerId: String(referrer._id),
          friendId: String(target.friendId),
          staffId: String(staffId),
          ...evidence,
        });
      }
    }
  }

  /** The open flags, newest first, with the people concerned; the chat shows a few (one message each), the dashboard more. */
  async function listOpen(actor: Actor, limit = 20): Promise<{ ok: true; flags: ReviewedFlag[] } | { ok: false; reason: 'not_allowed' }> {
    const allowed = await access.authorize(actor, 'flags', ['owner']);
    if (!allowed.ok) return allowed;
    const open = await flags.listOpen(limit);
    const idOf = (value: unknown) => (typeof value === 'string' && Types.ObjectId.isValid(value) ? new Types.ObjectId(value) : undefined);
    const ids = open.flatMap((flag) => {
      const details = (flag.details ?? {}) as Record<string, unknown>;
      return [flag.customerId, idOf(details.referrerId), idOf(details.friendId), idOf(details.staffId)].filter((id) => !!id);
    });
    const people = await findEach(ids, (_id) => models.Customer.find({ _id }, { name: 1, code: 1 }).lean());
    const person = (id: unknown): Person | undefined => {
      const found = id ? people.find((p) => p._id.equals(id as Types.ObjectId)) : undefined;
      return found ? { name: found.name, code: found.code } : undefined;
    };
    return {
      ok: true,
      flags: open.map((flag) => {
        const details = (flag.details ?? {}) as Record<string, unknown>;
        return {
          ...flag,
          referrer: person(idOf(details.referrerId)),
          friend: person(idOf(details.friendId)),
          staff: person(idOf(details.staffId)),
          customer: person(flag.customerId),
        };
      }),
    };
  }

  /**
   * The owner's decision on a flag. The first decision wins (a claim, so a double tap or two
   * processes decide once); confirming a flag on a referral then reverses it, every step keyed
   * so that a retry after a crash completes what is missing and repeats nothing; only then is
   * the flag marked resolved and audited, once.
   */
  async function resolve(actor: Actor, flagId: string, decision: 'dismissed' | 'confirmed'): Promise<ResolveFlagResult> {
    const allowed = await access.authorize(actor, 'resolve_flag', ['owner']);
    if (!allowed.ok) return allowed;
    if (!Types.ObjectId.isValid(flagId)) return { ok: false, reason: 'not_found' };
    const flag = await flags.get(new Types.ObjectId(flagId));
    if (!flag) return { ok: false, reason: 'not_found' };
    const decisionKey = `flag_decision:${flagId}`;
    const won = flag.status === 'open' && (await claims.take(decisionKey, decision));
    const decided = won ? decision : ((await claims.holder(decisionKey))?.by ?? flag.status);
    if (decided !== 'confirmed' && decided !== 'dismissed') return { ok: false, reason: 'not_found' };

    const referralId = (flag.details as { referralId?: unknown } | undefined)?.referralId;
    const reversal = decided === 'confirmed' && typeof referralId === 'string' ? await reverseReferral(referralId) : undefined;
    const finished = flag.status === 'open' && (await claims.take(`flag_done:${flagId}`, String(actor.customerId)));
    if (flag.status === 'open') await flags.resolve(flag._id, decided, actor.customerId);
    if (!finished) return { ok: false, reason: 'not_found' };
    await audit.action(actor, 'resolve_flag', decided, flag.customerId, { flagId, rule: flag.rule, ...reversal });
    return { ok: true, flag: { ...flag, status: decided }, decision: decided, reversal };
  }

  /**
   * Undoes a converted referral confirmed as fraud: marks it revoked (so it no longer counts
   * for milestones or reports), cancels its unused vouchers, takes back the referral points
   * (tiers never go down: a tier reached stays), and tells both people neutrally.
   */
  async function reverseReferral(referralId: string): Promise<Reversal | undefined> {
    if (!Types.ObjectId.isValid(referralId)) return undefined;
    const referral = await models.Referral.findById(new Types.ObjectId(referralId)).lean<Referral>();
    if (!referral || (referral.status !== 'converted' && referral.status !== 'revoked')) return undefined;
    await referrals.revoke(referral._id);
    await ctx.staleDays.touch(referral.convertedAt);
    const key = rewardKeyOf(referral);
    const { cancelled, used } = await vouchers.cancelUnused([`${key}:friend`, `${key}:referrer`], `fraud:${referralId}`);
    // Points to take back: the referral's own, and any bonus-points reward it paid out.
    const causes = [key, ...[...cancelled, ...used].filter((v) => v.reward.kind === 'bonus_points').map((v) => `voucher:${v.code}`)];
    const entries = await findEach(causes, (causeKey) => models.PointsEntry.find({ causeKey }).lean());
    let pointsReversed = 0;
    for (const entry of entries) {
      const reversal = await models.PointsEntry.findOne({ causeKey: `reversal:${entry.causeKey}` }).lean();
      // A balance never goes below zero: take back at most what is there.
      const balance = (await models.Customer.findById(entry.customerId, { points: 1 }).lean())?.points ?? 0;
      const delta = reversal ? reversal.delta : -Math.min(entry.delta, balance);
      if (!reversal) await points.add(entry.customerId, delta, 'reversal', `reversal:${entry.causeKey}`);
      if (entry.customerId.equals(referral.referrerId)) pointsReversed -= delta;
    }
    const [friend, referrer] = await Promise.all([
      models.Customer.findById(referral.friendId, { name: 1 }).lean(),
      models.Customer.findById(referral.referrerId, { name: 1 }).lean(),
    ]);
    const codesOf = (customerId: Types.ObjectId) => cancelled.filter((v) => v.customerId.equals(customerId)).map((v) => v.code);
    const referrerCodes = codesOf(referral.referrerId);
    if (referrerCodes.length > 0 || pointsReversed > 0) {
      await outbox.record(`referral_reversed:${referralId}:referrer`, 'referral_reversed', referral.referrerId, {
        side: 'referrer',
        // The message needs only what the person is called by (README "Personal data").
        friendName: givenName(friend?.name ?? ''),
        vouchers: referrerCodes,
        points: pointsReversed,
      });
    }
    const friendCodes = codesOf(referral.friendId);
    if (friendCodes.length > 0) {
      await outbox.record(`referral_reversed:${referralId}:friend`, 'referral_reversed', referral.friendId, {
        side: 'friend',
        referrerName: givenName(referrer?.name ?? ''),
        vouchers: friendCodes,
        points: 0,
      });
    }
    return { vouchersCancelled: cancelled.length, vouchersUsed: used.length, pointsReversed };
  }

  return { reviewConversion, listOpen, resolve };
}

export type FraudService = ReturnType<typeof createFraudService>;
