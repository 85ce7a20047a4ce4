import type { Types } from 'mongoose';
import { checkPeriod, isDoubleSend, MAX_MEMBERSHIP_MONTHS, membershipEnd, periodStart } from '../domain/membership.js';
import { auditedQuery } from '../domain/phone.js';
import { dayKey } from '../domain/schedule.js';
import type { Customer } from '../db/models/customer.js';
import type { Membership } from '../db/models/membership.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { CustomerService } from './customers.js';
import { isDuplicateKey } from './duplicate-key.js';

export type EnrolResult =
  /** `repeated`: this request had enrolled them already (a retried message, or the same sale sent twice within DOUBLE_SEND_MS). */
  | { ok: true; customer: Customer; membership: Membership; repeated: boolean }
  | { ok: false; reason: 'not_allowed' | 'not_found' | 'ambiguous_phone' | 'not_offered' | 'own_membership' }
  | { ok: false; reason: 'bad_period'; periodMonths: number; maxMonths: number };

/** What the membership notifications carry. */
export interface MembershipNoticeData {
  endsAt: Date;
  months?: number;
  amount?: number;
}

const DAY_MS = 24 * 3600_000;
/** A lapse is told only this soon after it: the first run after an upgrade does not write to long-lapsed members. */
const LAPSE_NOTICE_DAYS = 3;
/** Enrolments at once: each loser of a chain position computes again from the winner (once per concurrent sale at most). */
const CHAIN_ATTEMPTS = 50;

/**
 * The paid membership (the rules' `membership`): staff or owners enrol a customer at the
 * counter after payment; a running membership is extended from its end. Each enrolment is a
 * Membership record in the customer's chain (see the model), keyed by the staff member's
 * request, so a retry or a second tap enrols once. The one writer of Membership.
 */
export function createMembershipService(
  ctx: Pick<ServicePieces, 'program' | 'timezone' | 'now' | 'access' | 'audit' | 'outbox' | 'records'> & { models: Pick<Models, 'Membership'> },
  customers: CustomerService,
) {
  const { models, program, timezone, audit, outbox, records } = ctx;

  async function enrol(actor: Actor, query: string, months: number, requestKey: string): Promise<EnrolResult> {
    const allowed = await ctx.access.authorize(actor, 'member', ['staff', 'owner']);
    if (!allowed.ok) return allowed;
    const rules = program.membership;
    if (!rules) {
      await audit.action(actor, 'member', 'not_offered');
      return { ok: false, reason: 'not_offered' };
    }
    const period = checkPeriod(months, rules.periodMonths);
    if (!period.ok) {
      await audit.action(actor, 'member', 'bad_period', undefined, { months });
      return { ok: false, reason: 'bad_period', periodMonths: rules.periodMonths, maxMonths: Math.max(MAX_MEMBERSHIP_MONTHS, rules.periodMonths) };
    }
    const found = await customers.lookup(query);
    if (!found.ok) {
      await audit.action(actor, 'member', found.reason, undefined, { query: auditedQuery(query) });
      return found;
    }
    const { customer } = found;
    if (customer._id.equals(actor.customerId)) {
      await audit.action(actor, 'member', 'own_membership', customer._id);
      return { ok: false, reason: 'own_membership' };
    }
    const sold = await sell(customer._id, actor.customerId, months, period.periods * rules.price, requestKey);
    // Repeated on a retry as well: a crash after the sale still stores the end and owes the message.
    await records.storeMembership(customer._id, sold.membership.endsAt, sold.membership.seq);
    await outbox.record(`membership_enrolled:${String(sold.membership._id)}`, 'membership_enrolled', customer._id, {
      endsAt: sold.membership.endsAt,
      months,
      amount: sold.membership.amount,
    } satisfies MembershipNoticeData);
    await audit.action(actor, 'member', sold.repeated ? 'repeated' : 'enrolled', customer._id, {
      months,
      amount: sold.membership.amount,
      endsAt: sold.membership.endsAt,
    });
    const after = { ...customer, memberUntil: sold.membership.endsAt };
    return { ok: true, customer: after, membership: sold.membership, repeated: sold.repeated };
  }

  /** Adds the next record to the customer's chain, from the end of the latest one when it still runs; once per request. */
  async function sell(
    customerId: Types.ObjectId,
    soldBy: Types.ObjectId,
    months: number,
    amount: number,
    requestKey: string,
  ): Promise<{ membership: Membership; repeated: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const earlier = await models.Membership.findOne({ requestKey }).lean<Membership>();
      if (earlier) return { membership: earlier, repeated: true };
      const latest = await models.Membership.findOne({ customerId }).sort({ seq: -1 }).lean<Membership>();
      const at = ctx.now();
      if (latest && isDoubleSend(latest, soldBy, months, at)) return { membership: latest, repeated: true };
      const startsAt = periodStart(at, latest?.endsAt);
      try {
        const created = await models.Membership.create({
          customerId,
          seq: (latest?.seq ?? 0) + 1,
          requestKey,
          months,
          amount,
          startsAt,
          endsAt: membershipEnd(startsAt, months, timezone),
          at,
          atDay: dayKey(at, timezone),
          soldBy,
        });
        return { membership: created.toObject<Membership>(), repeated: false };
      } catch (error) {
        // The same request, or another sale, took the place: read the chain again.
        if (!isDuplicateKey(error) || attempt >= CHAIN_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Reminds each member `reminderDaysBefore` the end of a membership not extended since, and
   * tells them once it has lapsed (so they can renew at the counter), each once per end.
   * Memberships are few (one record per sale), so their date ranges are read whole.
   */
  async function recordReminders(): Promise<{ reminders: number; lapsed: number }> {
    const rules = program.membership;
    if (!rules) return { reminders: 0, lapsed: 0 };
    const now = ctx.now();
    const [ending, ended] = await Promise.all([
      models.Membership.find({ endsAt: { $gt: now, $lte: new Date(now.getTime() + rules.reminderDaysBefore * DAY_MS) } }).lean<Membership[]>(),
      models.Membership.find({ endsAt: { $lte: now, $gt: new Date(now.getTime() - LAPSE_NOTICE_DAYS * DAY_MS) } }).lean<Membership[]>(),
    ]);
    let reminders = 0;
    let lapsed = 0;
    for (const membership of ending) {
      if (await extended(membership)) continue;
      await outbox.record(noticeKey('membership_expiry_reminder', membership), 'membership_expiry_reminder', membership.customerId, {
        endsAt: membership.endsAt,
      } satisfies MembershipNoticeData);
      reminders += 1;
    }
    for (const membership of ended) {
      if (await extended(membership)) continue;
      await outbox.record(noticeKey('membership_lapsed', membership), 'membership_lapsed', membership.customerId, {
        endsAt: membership.endsAt,
      } satisfies MembershipNoticeData);
      lapsed += 1;
    }
    return { reminders, lapsed };
  }

  const noticeKey = (type: string, membership: Membership) => `${type}:${String(membership.customerId)}:${membership.endsAt.toISOString()}`;
  const extended = async (membership: Membership) =>
    !!(await models.Membership.exists({ customerId: membership.customerId, seq: membership.seq + 1 }));

  return { enrol, recordReminders };
}

export type MembershipService = ReturnType<typeof createMembershipService>;
