import type { ReviewPhoto } from '../../../db/models/review.js';
import type { Actor } from '../../../services/index.js';
import type { Decision, DecideResult, QueueItem, SubmitResult } from '../../../services/reviews.js';
import type { ConversationKit, Session } from '../kit.js';
import { defineCommand, noArgs, type Command, type Turn } from '../registry.js';
import type { Reply } from '../reply.js';

function parseDecision(args: string[]): { decision: Decision; reviewId: string; round: number } | undefined {
  const decision = args[0] === 'approve' || args[0] === 'reject' ? args[0] : undefined;
  const round = Number(args[2]);
  return decision && args[1] && Number.isInteger(round) && round > 0 && args.length === 3 ? { decision, reviewId: args[1], round } : undefined;
}

/**
 * Review rewards in the chat (services/reviews.ts): the customer's screenshot or `/done` for
 * their open ask, and the staff queue `/reviews` with the photo and one-time Approve / Reject.
 */
export function createReviewsFeature(kit: ConversationKit) {
  const { services } = kit;

  function submitted(s: Session, result: SubmitResult, photo: boolean): Reply[] {
    if (result.ok) {
      const key = result.status === 'updated' ? 'reviews:customer.updated' : photo ? 'reviews:customer.thanksPhoto' : 'reviews:customer.thanksDone';
      return [{ text: s.t(key) }];
    }
    if (result.reason === 'already_approved') return [{ text: s.t('reviews:customer.alreadyApproved') }];
    if (result.reason === 'no_ask') return [{ text: s.t(photo ? 'reviews:customer.photoWithoutAsk' : 'reviews:customer.doneWithoutAsk') }];
    return [{ text: s.t('bot:notAllowed') }];
  }

  /** A photo a customer sent: the screenshot of their review, if they were asked for one. */
  async function photo({ s, actor }: Turn, sent: ReviewPhoto): Promise<Reply[]> {
    return submitted(s, await services.reviews.submit(actor, s.customer, { photo: sent }), true);
  }

  function card(s: Session, item: QueueItem): Reply {
    const lines = [s.t('reviews:staff.item', { name: item.customer.name || item.customer.code, code: item.customer.code, at: item.submittedAt })];
    if (!item.photo) lines.push(s.t('reviews:staff.noPhoto'));
    return {
      text: lines.join('\n'),
      sentPhoto: item.photo,
      buttons: [
        [
          { label: s.t('reviews:staff.approve'), action: `/review approve ${item.id} ${item.round}` },
          { label: s.t('reviews:staff.reject'), action: `/review reject ${item.id} ${item.round}` },
        ],
      ],
    };
  }

  async function queue(s: Session, actor: Actor): Promise<Reply[]> {
    const result = await services.reviews.queue(actor);
    if (!result.ok) return [{ text: s.t('bot:notAllowed') }];
    if (result.items.length === 0) return [{ text: s.t('reviews:staff.none') }];
    // Numbered choices answer the chat's last list only: one review per answer, or "2" would reject another.
    const shown = kit.traits.numberedChoices ? result.items.slice(0, 1) : result.items;
    const more = result.total - shown.length;
    const cards = shown.map((item) => card(s, item));
    return more > 0 ? [{ text: s.t('reviews:staff.more', { count: more }) }, ...cards] : cards;
  }

  function decided(s: Session, result: DecideResult): Reply[] {
    if (result.ok) {
      const name = result.customerName || s.t('bot:aFriend');
      return [
        {
          text:
            result.decision === 'approve'
              ? s.t('reviews:staff.approved', { name, code: result.voucherCode })
              : s.t('reviews:staff.rejected', { name }),
        },
      ];
    }
    switch (result.reason) {
      case 'already_decided':
        return [{ text: s.t(result.decision === 'approve' ? 'reviews:staff.alreadyApproved' : 'reviews:staff.alreadyRejected', { at: result.at }) }];
      case 'own_review':
        return [{ text: s.t('reviews:staff.ownReview') }];
      case 'not_found':
        return [{ text: s.t('reviews:staff.notFound') }];
      default:
        return [{ text: s.t('bot:notAllowed') }];
    }
  }

  const commands: Command[] = [
    // Named in the ask message ("send /done"); no menu entry, so the menu stays short.
    defineCommand({
      name: 'done',
      role: 'customer',
      usage: 'reviews:usage.done',
      parse: noArgs,
      run: async ({ s, actor }) => submitted(s, await services.reviews.submit(actor, s.customer, { done: true }), false),
    }),
  ];
  const staffCommands: Command[] = [
    defineCommand({
      name: 'reviews',
      role: 'staff',
      usage: 'reviews:usage.reviews',
      menu: 'reviews:menu.reviews',
      parse: noArgs,
      run: ({ s, actor }) => queue(s, actor),
    }),
    // The queue's buttons: no menu entry.
    defineCommand({
      name: 'review',
      role: 'staff',
      usage: 'reviews:usage.review',
      parse: parseDecision,
      run: async ({ s, actor, requestKey }, { reviewId, round, decision }) =>
        decided(s, await services.reviews.decide(actor, reviewId, round, decision, requestKey)),
    }),
  ];

  return { photo, commands, staffCommands };
}
