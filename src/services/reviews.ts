import { Types } from 'mongoose';
import { findEach } from '../db/each-value.js';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { Review, ReviewPhoto } from '../db/models/review.js';
import type { Visit } from '../db/models/visit.js';
import type { Reward } from '../program/schema.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { GivenReward } from './ports.js';
import type { VoucherService } from './vouchers.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Visits older than this past their ask time are not asked about any more (the job was down for long). */
const LOOKBACK_MS = 2 * DAY;
/** A submission's screenshot, if it has one. */
const photoOf = ({ photo }: Review): ReviewPhoto | undefined =>
  photo?.telegramFileId ? { telegramFileId: photo.telegramFileId } : photo?.url ? { url: photo.url } : undefined;

/** The queue shows this many at once, oldest first. */
const QUEUE_SIZE = 10;

/** `review_ask`: the links and the reward as the ask promises them. */
export interface ReviewAskData {
  links: Array<{ name: string; url: string }>;
  reward: Reward;
}
/** `review_approved`: the reward the approval gave. */
export type ReviewApprovedData = GivenReward;

export type SubmitResult =
  | { ok: true; status: 'submitted' | 'updated' }
  | { ok: false; reason: 'not_allowed' | 'no_ask' }
  | { ok: false; reason: 'already_approved'; voucherCode?: string };

export interface QueueItem {
  id: string;
  round: number;
  customer: { name: string; code: string };
  photo?: ReviewPhoto;
  saidDone: boolean;
  submittedAt: Date;
}
export type QueueResult = { ok: true; items: QueueItem[]; total: number } | { ok: false; reason: 'not_allowed' };

export type Decision = 'approve' | 'reject';
export type DecideResult =
  | { ok: true; decision: Decision; customerName: string; voucherCode?: string }
  | { ok: false; reason: 'not_allowed' | 'not_found' | 'own_review' }
  | { ok: false; reason: 'already_decided'; decision: Decision; at: Date };

/**
 * Review rewards (README "Review rewards"), the one writer of `reviews`: after a visit a customer
 * who wants offers is asked, at most once every `periodDays`, to review the shop; their screenshot
 * or "done" waits for staff, and only an approval issues the reward, once per ask. A decision is a
 * claim per submission round, so two staff pressing at once make one decision.
 */
export function createReviewService(
  ctx: Pick<ServicePieces, 'program' | 'now' | 'access' | 'audit' | 'outbox' | 'claims'> & {
    models: Pick<Models, 'Review' | 'Visit' | 'Customer'>;
  },
  vouchers: VoucherService,
) {
  const { models, program } = ctx;
  const decisionKey = (review: Pick<Review, 'key' | 'round'>) => `review_decision:${review.key}:${review.round}`;

  /**
   * The job's pass: each customer whose visit is `askAfterHours` old (and not undone) is asked,
   * unless they were asked within `periodDays` or do not want offers. Returns how many were asked.
   */
  async function askAfterVisits(): Promise<number> {
    const rules = program.reviews;
    if (!rules) return 0;
    const now = ctx.now();
    const due = new Date(now.getTime() - rules.askAfterHours * HOUR);
    const visits = await models.Visit.find({ at: { $gt: new Date(due.getTime() - LOOKBACK_MS), $lte: due }, undoneAt: null })
      .sort({ at: -1 })
      .lean<Visit[]>();
    const latestVisit = new Map<string, Visit>();
    for (const visit of visits) if (!latestVisit.has(String(visit.customerId))) latestVisit.set(String(visit.customerId), visit);
    let asked = 0;
    for (const visit of latestVisit.values()) if (await ask(visit, now)) asked += 1;
    return asked;
  }

  async function ask(visit: Visit, now: Date): Promise<boolean> {
    const rules = program.reviews;
    if (!rules) return false;
    const customer = await models.Customer.findById(visit.customerId, { marketingConsent: 1, erasedAt: 1 }).lean<Customer>();
    // A review ask with a reward is an offer: only to people who said yes to offers (see README).
    if (!customer || customer.erasedAt || customer.marketingConsent !== true) return false;
    const latest = await models.Review.findOne({ customerId: visit.customerId }).sort({ askedAt: -1 }).lean<Review>();
    if (latest && latest.askedAt.getTime() > now.getTime() - rules.periodDays * DAY) return false;
    const n = (latest?.n ?? 0) + 1;
    const key = `review:${String(visit.customerId)}:${n}`;
    const data: ReviewAskData = { links: rules.links.map(({ name, url }) => ({ name, url })), reward: rules.reward };
    try {
      await models.Review.create({
        key,
        n,
        customerId: visit.customerId,
        visitId: visit._id,
        askedAt: now,
        askAt: new Date(visit.at.getTime() + rules.askAfterHours * HOUR),
        openUntil: new Date(now.getTime() + rules.periodDays * DAY),
        ...data,
      });
    } catch (error) {
      // Another pass (or process) asked first.
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await ctx.outbox.record(`review_ask:${key}`, 'review_ask', visit.customerId, { ...data });
    return true;
  }

  /** The customer's ask still taking submissions, if any. */
  async function openAsk(customerId: Types.ObjectId): Promise<Review | undefined> {
    const now = ctx.now();
    const latest = await models.Review.findOne({ customerId, askAt: { $lte: now } })
      .sort({ askedAt: -1 })
      .lean<Review>();
    return latest && latest.openUntil > now ? latest : undefined;
  }

  /** The decision taken on this submission round, if any (the claim is the truth; the status follows it). */
  async function decisionOf(review: Review): Promise<{ decision: Decision; at: Date; by?: string } | undefined> {
    if (review.round === 0) return undefined;
    const holder = await ctx.claims.holder(decisionKey(review));
    if (!holder) return undefined;
    const [decision, by] = (holder.by ?? '').split(':');
    return { decision: decision === 'approve' ? 'approve' : 'reject', at: holder.at, by };
  }

  /**
   * The customer sends a screenshot or says they left the review. Taken only for an open ask;
   * a later photo before the decision replaces the earlier one; after a rejection it starts a new round.
   */
  async function submit(actor: Actor, customer: Customer, input: { photo?: ReviewPhoto; done?: boolean }): Promise<SubmitResult> {
    if (!actor.customerId.equals(customer._id)) return { ok: false, reason: 'not_allowed' };
    const review = await openAsk(customer._id);
    if (!review) return { ok: false, reason: 'no_ask' };
    const decided = await decisionOf(review);
    if (review.status === 'approved' || decided?.decision === 'approve') {
      return { ok: false, reason: 'already_approved', voucherCode: review.voucherCode ?? undefined };
    }
    const waiting = review.status === 'pending' && !decided;
    const photo = input.photo ?? (waiting ? photoOf(review) : undefined);
    await models.Review.updateOne(
      { _id: review._id },
      {
        $set: {
          status: 'pending',
          round: waiting ? review.round : review.round + 1,
          saidDone: !!input.done || (waiting && !!review.saidDone),
          submittedAt: waiting ? (review.submittedAt ?? ctx.now()) : ctx.now(),
          ...(photo ? { photo } : {}),
        },
        ...(photo ? {} : { $unset: { photo: 1 } }),
      },
    );
    return { ok: true, status: waiting ? 'updated' : 'submitted' };
  }

  /** Staff and owners: the submissions waiting for a decision, oldest first. */
  async function queue(actor: Actor): Promise<QueueResult> {
    const allowed = await ctx.access.authorize(actor, 'reviews_queue', ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    const [pending, total] = await Promise.all([
      models.Review.find({ status: 'pending' }).sort({ submittedAt: 1 }).limit(QUEUE_SIZE).lean<Review[]>(),
      models.Review.countDocuments({ status: 'pending' }),
    ]);
    const people = await findEach(
      pending.map((r) => r.customerId),
      (_id) => models.Customer.find({ _id }, { name: 1, code: 1 }).lean<Customer[]>(),
    );
    const byId = new Map(people.map((p) => [String(p._id), p]));
    const items = pending.map((review) => ({
      id: String(review._id),
      round: review.round,
      customer: { name: byId.get(String(review.customerId))?.name ?? '', code: byId.get(String(review.customerId))?.code ?? '' },
      photo: photoOf(review),
      saidDone: !!review.saidDone,
      submittedAt: review.submittedAt ?? review.askedAt,
    }));
    await ctx.audit.action(allowed.actor, 'reviews_queue', 'shown', undefined, { count: items.length });
    return { ok: true, items, total };
  }

  /**
   * Staff approve or reject one submission round. The first decision takes the round's claim;
   * a later press hears what was decided. `requestKey` (the pressed card) lets a retry of the
   * same press finish what a crash interrupted. Approval issues the reward once (keyed by the ask).
   */
  async function decide(actor: Actor, reviewId: string, round: number, decision: Decision, requestKey: string): Promise<DecideResult> {
    const action = decision === 'approve' ? 'review_approve' : 'review_reject';
    const allowed = await ctx.access.authorize(actor, action, ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    const review = Types.ObjectId.isValid(reviewId) ? await models.Review.findById(reviewId).lean<Review>() : null;
    if (!review || review.round !== round || review.round === 0) {
      const earlier = review && review.round > round && round > 0 ? await decisionOf({ ...review, round }) : undefined;
      if (earlier) return { ok: false, reason: 'already_decided', decision: earlier.decision, at: earlier.at };
      await ctx.audit.action(allowed.actor, action, 'not_found', review?.customerId, { reviewId });
      return { ok: false, reason: 'not_found' };
    }
    if (review.customerId.equals(actor.customerId)) {
      await ctx.audit.action(allowed.actor, action, 'own_review', review.customerId, { review: review.key });
      return { ok: false, reason: 'own_review' };
    }
    const by = `${decision}:${String(actor.customerId)}:${requestKey}`;
    if (!(await ctx.claims.takeOrHold(decisionKey(review), by))) {
      const earlier = await decisionOf(review);
      await ctx.audit.action(allowed.actor, action, 'already_decided', review.customerId, { review: review.key, round });
      return { ok: false, reason: 'already_decided', decision: earlier?.decision ?? decision, at: earlier?.at ?? ctx.now() };
    }
    const customer = await models.Customer.findById(review.customerId, { name: 1 }).lean<Customer>();
    const decidedAt = ctx.now();
    let voucherCode: string | undefined;
    if (decision === 'approve') {
      const voucher = await vouchers.issue(review.customerId, review.reward as Reward, 'review', review.key);
      voucherCode = voucher.code;
      const data: ReviewApprovedData = { reward: voucher.reward, voucherCode: voucher.code, expiresAt: voucher.expiresAt };
      await ctx.outbox.record(`review_approved:${review.key}`, 'review_approved', review.customerId, { ...data });
      await models.Review.updateOne(
        { _id: review._id },
        { $set: { status: 'approved', decidedBy: actor.customerId, decidedAt, voucherId: voucher._id, voucherCode: voucher.code } },
      );
    } else {
      await ctx.outbox.record(`review_rejected:${review.key}:${round}`, 'review_rejected', review.customerId, {});
      await models.Review.updateOne({ _id: review._id, round }, { $set: { status: 'rejected', decidedBy: actor.customerId, decidedAt } });
    }
    await ctx.audit.action(allowed.actor, action, decision === 'approve' ? 'approved' : 'rejected', review.customerId, {
      review: review.key,
      round,
      ...(voucherCode ? { voucher: voucherCode } : {}),
    });
    return { ok: true, decision, customerName: customer?.name ?? '', voucherCode };
  }

  /** Erasure: the person's asks and screenshots go (the vouchers they earned stay with the voucher records). */
  async function erase(customerId: Types.ObjectId): Promise<void> {
    await models.Review.deleteMany({ customerId });
  }

  return { askAfterVisits, submit, queue, decide, erase };
}

export type ReviewService = ReturnType<typeof createReviewService>;
