import { Types } from 'mongoose';
import { normalizeCode } from '../domain/codes.js';
import { checkJoinVolume } from '../domain/fraud.js';
import { startOfBusinessDay } from '../domain/loyalty.js';
import { dayKey } from '../domain/schedule.js';
import type { Customer, ReferralChannel } from '../db/models/customer.js';
import type { Referral } from '../db/models/referral.js';
import type { Reward } from '../program/schema.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import { createLinkOpenBuffer } from './link-open-buffer.js';
import { createVisitorHash } from './visitor-hash.js';
import { pruneInBatches } from './prune-days.js';
import type { Sealed } from './rollups.js';
import { givenName } from '../domain/names.js';
import { friendRewardOf, planOf } from '../domain/partners.js';
import type { PartnerService } from './partners.js';

export type AttributeResult =
  | { ok: true; referrer: Customer; friendReward: Reward; duplicate: boolean }
  | { ok: false; reason: 'unknown_code' }
  | { ok: false; reason: 'own_code' }
  | { ok: false; reason: 'already_referred'; referrerName: string }
  | { ok: false; reason: 'already_customer' };

export type LinkOpenResult = { ok: true; referrer: Customer } | { ok: false; reason: 'unknown_code' };

const HOUR_MS = 3600_000;

export type ReferralServiceDeps = Pick<
  ServicePieces,
  'program' | 'timezone' | 'now' | 'logger' | 'outbox' | 'claims' | 'tickets' | 'flags' | 'records' | 'staleDays'
> & {
  models: Pick<Models, 'Customer' | 'Referral' | 'LinkOpen'>;
};

/** Referrals and link opens: the one writer of Referral and LinkOpen. */
export function createReferralService(ctx: ReferralServiceDeps, partners: Pick<PartnerService, 'activePlanOf'>) {
  const { models, program, outbox, claims, tickets, flags, records } = ctx;
  const linkOpens = createLinkOpenBuffer(ctx);
  const hashVisitor = createVisitorHash(tickets);

  /** Referrers of codes opened lately (a name changed shows within a minute); unknown codes are not kept. */
  const recentReferrers = new Map<string, { referrer: Customer; until: number }>();
  async function landingReferrer(rawCode: string): Promise<Customer | undefined> {
    const code = normalizeCode(rawCode);
    const known = code ? recentReferrers.get(code) : undefined;
    if (known && known.until > Date.now()) return known.referrer;
    const referrer = await findReferrer(rawCode);
    if (code && referrer) {
      if (recentReferrers.size >= 1000) recentReferrers.clear();
      recentReferrers.set(code, { referrer, until: Date.now() + 60_000 });
    }
    return referrer;
  }

  async function findReferrer(rawCode: string): Promise<Customer | undefined> {
    const code = normalizeCode(rawCode);
    if (!code) return undefined;
    return (await models.Customer.findOne({ code }).lean<Customer>()) ?? undefined;
  }

  /**
   * Makes a newcomer the friend of the customer whose code they arrived with. Refused for
   * an unknown or own code, a friend who already has a referrer, or one who already had a
   * confirmed visit. The unique index on the friend keeps it to one referrer under races;
   * the same code again returns the earlier result.
   */
  async function attribute(friendOrId: Types.ObjectId | Customer, rawCode: string | Customer, via: ReferralChannel): Promise<AttributeResult> {
    // A referrer the caller already looked up (a code a chat sent) is not looked up again, nor
    // the friend whose record the caller loaded for this update (the join's).
    const referrer = typeof rawCode === 'string' ? await findReferrer(rawCode) : rawCode;
    if (!referrer) return { ok: false, reason: 'unknown_code' };
    const friendId = friendOrId instanceof Types.ObjectId ? friendOrId : friendOrId._id;
    if (referrer._id.equals(friendId)) return { ok: false, reason: 'own_code' };
    const friend = friendOrId instanceof Types.ObjectId ? await models.Customer.findById(friendId).lean<Customer>() : friendOrId;
    if (!friend) return { ok: false, reason: 'unknown_code' };
    // A regular from the shop's own list was a customer before anybody's link.
    if (friend.importedAt) return { ok: false, reason: 'already_customer' };

    // The referral is inserted at once (a first attribution is the usual case); the unique
    // friend says whether one was made before, which answers as it did then.
    if (friend.firstVisitAt) {
      const existing = await models.Referral.findOne({ friendId }).lean<Referral>();
      return existing ? sameOrOther(existing, referrer) : { ok: false, reason: 'already_customer' };
    }
    let referral: Referral;
    const joinedAt = ctx.now();
    // A partner's friend earns them commission instead of referral rewards, and gets the plan's welcome offer.
    const plan = await partners.activePlanOf(referrer._id);
    try {
      referral = (
        await models.Referral.create({
          friendId,
          referrerId: referrer._id,
          code: referrer.code,
          via,
          joinedAt,
          joinedDay: dayKey(joinedAt, ctx.timezone),
          ...(plan ? { partnerPlanId: plan.id } : {}),
        })
      ).toObject<Referral>();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await models.Referral.findOne({ friendId }).lean<Referral>();
      if (!winner) throw error;
      return sameOrOther(winner, referrer);
    }
    await records.linkReferrer(friendId, referrer._id, via);
    await noticeJoin(referral, friend.name);

    const dayStart = startOfBusinessDay(ctx.now(), ctx.timezone);
    const joinsToday = await models.Referral.countDocuments({ referrerId: referrer._id, joinedAt: { $gte: dayStart } });
    for (const rule of checkJoinVolume(joinsToday, program.fraud.maxJoinsPerReferrerPerDay)) {
      await flags.raise(`${rule}:${String(referrer._id)}:${dayStart.toISOString()}`, rule, referrer._id, {
        referrerId: String(referrer._id),
        joinsToday,
        limit: program.fraud.maxJoinsPerReferrerPerDay,
      });
    }
    return { ok: true, referrer, friendReward: friendRewardOf(program, plan), duplicate: false };

    async function sameOrOther(existing: Referral, candidate: Customer): Promise<AttributeResult> {
      if (existing.referrerId.equals(candidate._id)) {
        // A crash after the referral was written may have left the referrer untold.
        if (!existing.joinNoticeKey) await noticeJoin(existing);
        return { ok: true, referrer: candidate, friendReward: partnerWelcome(existing), duplicate: true };
      }
      const first = await models.Customer.findById(existing.referrerId, { name: 1 }).lean();
      return { ok: false, reason: 'already_referred', referrerName: first?.name ?? '' };
    }
  }

  /** The friend reward of a referral: its partner plan's welcome offer, or the usual one. */
  function partnerWelcome(referral: Pick<Referral, 'partnerPlanId'>): Reward {
    return friendRewardOf(program, referral.partnerPlanId ? planOf(program.partners.plans, referral.partnerPlanId)?.plan : undefined);
  }

  /**
   * Tells the referrer about a join so that a farm of accounts cannot flood them: the first
   * join after a quiet hour is told at once, by name; every other join goes into its hour's
   * digest, sent when that hour ends and counting its joins then ("N more friends joined").
   * So a referrer gets at most one digest an hour. The first join of an hour is a claim, so
   * several processes agree; a retry finds its own claim and its referral's notice key.
   */
  async function noticeJoin(referral: Referral, friendName?: string): Promise<void> {
    const referrerId = String(referral.referrerId);
    const friendId = String(referral.friendId);
    const hour = Math.floor(referral.joinedAt.getTime() / HOUR_MS);
    const firstKey = `join_notice:${referrerId}:${hour}`;
    // A partner earns commission, not the referral reward the usual notice promises.
    const partner = referral.partnerPlanId ? { partner: true } : {};
    const first = await claims.takeOrHold(firstKey, friendId);
    const quietHourBefore = !(await claims.holder(`join_notice:${referrerId}:${hour - 1}`));
    if (first && quietHourBefore) {
      const key = `friend_joined:${friendId}`;
      const name = friendName ?? (await models.Customer.findById(referral.friendId, { name: 1 }).lean())?.name;
      await outbox.record(key, 'friend_joined', referral.referrerId, { friendId, friendName: givenName(name ?? ''), ...partner });
      await models.Referral.updateOne({ _id: referral._id }, { $set: { joinNoticeKey: key } });
      return;
    }
    // The referral names its digest before the digest exists, so the count at send time includes it.
    const key = `friends_joined_digest:${referrerId}:${hour}`;
    await models.Referral.updateOne({ _id: referral._id }, { $set: { joinNoticeKey: key } });
    await outbox.record(key, 'friends_joined_digest', referral.referrerId, partner, { sendAt: new Date((hour + 1) * HOUR_MS) });
  }

  /**
   * A chat that was attributed through a link turned out to be a customer from the shop's own
   * list: the referral that had not converted is taken back, so it never rewards the referrer
   * and the report days of the join are counted again without it. Returns true when one was.
   */
  async function withdrawForExisting(friendId: Types.ObjectId): Promise<boolean> {
    const withdrawn = await models.Referral.findOneAndDelete({ friendId, status: 'joined' }).lean<Referral>();
    if (withdrawn) await ctx.staleDays.touch(withdrawn.joinedAt);
    return !!withdrawn;
  }

  /**
   * Counts a referral link or QR being opened (the top of the conversion funnel): once per
   * visitor, code and business day, so reloads, the language switch and a farm of repeats
   * do not inflate it. `visitor` identifies the visitor (see hashVisitor); it is not stored.
   * The open is written in the next batch (see link-open-buffer); the referrer of a code is
   * remembered for a minute, so a busy landing page costs the database nothing per view.
   */
  async function recordLinkOpen(rawCode: string | Customer, via: ReferralChannel, visitor: string): Promise<LinkOpenResult> {
    const referrer = typeof rawCode === 'string' ? await landingReferrer(rawCode) : rawCode;
    if (!referrer) return { ok: false, reason: 'unknown_code' };
    const now = ctx.now();
    const day = startOfBusinessDay(now, ctx.timezone).toISOString();
    const key = `${referrer.code}:${day}:${await hashVisitor(visitor)}`;
    linkOpens.add({ key, code: referrer.code, referrerId: referrer._id, via, at: now, atDay: dayKey(now, ctx.timezone) });
    return { ok: true, referrer };
  }

  /**
   * The friend's first qualifying visit settles the referral, once: converted by `visit` when
   * it came within the attribution window, else expired. Returns the referral as it is now.
   */
  async function settle(
    referralId: Types.ObjectId,
    outcome: { converted: { visitId: Types.ObjectId; at: Date; confirmedBy: Types.ObjectId; rewardKey: string } } | 'expired',
  ): Promise<Referral | null> {
    const update =
      outcome === 'expired'
        ? { $set: { status: 'expired' } }
        : {
            $set: {
              status: 'converted',
              convertedAt: outcome.converted.at,
              convertedDay: dayKey(outcome.converted.at, ctx.timezone),
              visitId: outcome.converted.visitId,
              confirmedBy: outcome.converted.confirmedBy,
              rewardKey: outcome.converted.rewardKey,
            },
          };
    const settled = await models.Referral.findOneAndUpdate({ _id: referralId, status: 'joined' }, update, {
      returnDocument: 'after',
    }).lean<Referral>();
    return settled ?? (await models.Referral.findById(referralId).lean<Referral>());
  }

  /** A converted referral confirmed as fraud stops counting (milestones, reports). */
  async function revoke(referralId: Types.ObjectId): Promise<void> {
    await models.Referral.updateOne({ _id: referralId, status: 'converted' }, { $set: { status: 'revoked', revokedAt: ctx.now() } });
  }

  /**
   * The visit that converted a referral was undone: the referral waits again for the friend's
   * first visit (which converts it under a new reward key, see rewardKeyFor). The converting
   * visit's id stays, so a retried undo still finds what it undid.
   */
  async function reopen(referralId: Types.ObjectId, visitId: Types.ObjectId): Promise<void> {
    await models.Referral.updateOne(
      { _id: referralId, status: 'converted', visitId },
      { $set: { status: 'joined', reopenedAt: ctx.now() }, $unset: { convertedAt: 1, convertedDay: 1, confirmedBy: 1 } },
    );
  }

  /**
   * Erasure of a referrer: their referrals and link opens stay (their friends' counts and the
   * reports rest on them) under the pseudonym `code`, so the old code is found nowhere; the
   * landing page here forgets it at once. Referrals as a friend name no code of theirs.
   */
  async function erase(customerId: Types.ObjectId, code: string): Promise<void> {
    for (const [cached, entry] of recentReferrers) if (entry.referrer._id.equals(customerId)) recentReferrers.delete(cached);
    // Opens still buffered here carry the old code: written first, so the rename below covers them.
    await linkOpens.flush();
    await models.Referral.updateMany({ referrerId: customerId }, { $set: { code } });
    // The open's key carries the code; it only made a visitor count once a day, and the day is over or nearly.
    await models.LinkOpen.updateMany({ referrerId: customerId }, { $set: { code }, $unset: { key: 1 } });
  }

  /**
   * The retention of link opens: those opened before `before` go, once `seal` (the rollups)
   * has kept their days' counts; nothing goes when it could not. Returns how many went.
   */
  async function pruneLinkOpens(before: Date, seal: Seal): Promise<number> {
    const oldest = await models.LinkOpen.findOne({ at: { $lt: before } }, { at: 1 })
      .sort({ at: 1 })
      .lean();
    const sealed = oldest && (await seal(oldest.at));
    if (!sealed) return 0;
    return pruneInBatches({
      days: sealed.days,
      removeDay: (atDay) => models.LinkOpen.deleteMany({ atDay }),
      olderIds: (limit) =>
        models.LinkOpen.find({ at: { $lt: sealed.until } }, { _id: 1 })
          .limit(limit)
          .lean(),
      removeId: (_id) => models.LinkOpen.deleteMany({ _id }),
    });
  }

  return {
    attribute,
    partnerWelcome,
    recordLinkOpen,
    pruneLinkOpens,
    flushLinkOpens: linkOpens.flush,
    findReferrer,
    hashVisitor,
    settle,
    revoke,
    reopen,
    withdrawForExisting,
    erase,
  };
}

/** Keeps the report figures of the days from `oldest`'s towards the cut-off (see rollups.seal). */
export type Seal = (oldest: Date) => Promise<Sealed | undefined>;

export type ReferralService = ReturnType<typeof createReferralService>;

/** The cause key of a referral's rewards: its own id, or with the converting visit after an undone conversion. */
export function rewardKeyOf(referral: Pick<Referral, '_id' | 'rewardKey'>): string {
  return referral.rewardKey ?? `referral:${String(referral._id)}`;
}

/** The key a conversion by `visitId` gives its rewards: a reopened referral's rewards are new ones. */
export function rewardKeyFor(referral: Pick<Referral, '_id' | 'reopenedAt'>, visitId: Types.ObjectId): string {
  return referral.reopenedAt ? `referral:${String(referral._id)}:${String(visitId)}` : `referral:${String(referral._id)}`;
}
