import type { Types } from 'mongoose';
import { generateCode, normalizeCode } from '../domain/codes.js';
import { friendRewardOf, monthBefore, monthOf, planOf } from '../domain/partners.js';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { Partner } from '../db/models/partner.js';
import type { PartnerPlan, Reward } from '../program/schema.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { findEach } from '../db/each-value.js';
import { isDuplicateKey } from './duplicate-key.js';

const INVITE_LENGTH = 10;
const inviteKey = (code: string) => `partner_invite:${code}`;
/** How long the landing page remembers a referrer's welcome offer (a plan change shows within it). */
const WELCOME_CACHE_MS = 60_000;

/** A partner with their plan as the rules stand now (`fallback`: their plan left the rules, the first one applies). */
export interface PartnerView {
  customer: Customer;
  partner: Partner;
  plan: PartnerPlan;
  fallback: boolean;
}

type Refusal<R extends string> = { ok: false; reason: R };
export type AddPartnerResult =
  | { ok: true; customer: Customer; plan: PartnerPlan; changed: boolean }
  | Refusal<'not_allowed' | 'invalid_code' | 'not_found' | 'unknown_plan' | 'no_plans'>;
export type PartnerInviteResult = { ok: true; code: string; hours: number; plan: PartnerPlan } | Refusal<'not_allowed' | 'unknown_plan' | 'no_plans'>;
export type AcceptPartnerInviteResult =
  { ok: true; plan: PartnerPlan } | Refusal<'invalid_invite' | 'issuer_not_owner' | 'is_owner' | 'already_partner' | 'no_plans'>;
export type FindPartnerResult = ({ ok: true } & PartnerView) | Refusal<'not_allowed' | 'invalid_code' | 'not_found' | 'not_a_partner'>;
export type RemovePartnerResult = { ok: true; customer: Customer } | Refusal<'not_allowed' | 'invalid_code' | 'not_found' | 'not_a_partner'>;
export type ListPartnersResult = { ok: true; partners: PartnerView[] } | Refusal<'not_allowed'>;

export type PartnerServiceDeps = Pick<ServicePieces, 'program' | 'now' | 'timezone' | 'access' | 'audit' | 'outbox' | 'claims' | 'tickets'> & {
  models: Pick<Models, 'Partner' | 'Customer'>;
};

/**
 * The partner program's people: who is a partner and under which plan (the money is the
 * commissions service's). The one writer of Partner. Every owner step is checked and audited
 * here; the person made a partner or ended is told through the outbox.
 */
export function createPartnerService(ctx: PartnerServiceDeps) {
  const { models, program, access, audit, outbox, claims, tickets } = ctx;
  const plans = () => program.partners.plans;

  /** The plan an owner names, or the first one; a name not in the rules is refused, not guessed. */
  function chosenPlan(planId: string | undefined): PartnerPlan | Refusal<'unknown_plan' | 'no_plans'> {
    if (plans().length === 0) return { ok: false, reason: 'no_plans' };
    const plan = planId === undefined ? plans()[0] : plans().find((candidate) => candidate.id === planId.toLowerCase());
    return plan ?? { ok: false, reason: 'unknown_plan' };
  }

  /** The plan id a customer is on while they are an active partner; null: not a partner. */
  async function activePlanId(customerId: Types.ObjectId): Promise<string | null> {
    return (await models.Partner.findOne({ customerId, status: 'active' }, { planId: 1 }).lean())?.planId ?? null;
  }
  /** The plan in the rules in force for a plan id (see domain/partners.ts planOf). */
  const planFor = (planId: string | null) => (planId === null ? undefined : planOf(plans(), planId)?.plan);

  /** The plan a customer earns under while they are an active partner. */
  async function activePlanOf(customerId: Types.ObjectId): Promise<PartnerPlan | undefined> {
    return planFor(await activePlanId(customerId));
  }

  /** Which plan each referrer is on (null: not a partner), remembered a minute: the landing page asks on every view. */
  const welcomes = new Map<string, { planId: string | null; until: number }>();
  /** The offer a referrer's friends get, from the rules in force now (only the partner lookup is remembered). */
  async function welcomeFor(customerId: Types.ObjectId): Promise<Reward> {
    let known = welcomes.get(String(customerId));
    if (!known || known.until <= Date.now()) {
      const planId = await activePlanId(customerId);
      if (welcomes.size >= 1000) welcomes.clear();
      known = { planId, until: Date.now() + WELCOME_CACHE_MS };
      welcomes.set(String(customerId), known);
    }
    return friendRewardOf(program, planFor(known.planId));
  }

  function viewOf(customer: Customer, partner: Partner): PartnerView | undefined {
    const current = planOf(plans(), partner.planId);
    return current && { customer, partner, ...current };
  }

  /**
   * The person's own partnership, for their statement and link, with the business months it
   * shows (this one and the last); undefined when they are no active partner.
   */
  async function mine(customerId: Types.ObjectId): Promise<(PartnerView & { months: [string, string] }) | undefined> {
    const [partner, customer] = await Promise.all([
      models.Partner.findOne({ customerId, status: 'active' }).lean<Partner>(),
      models.Customer.findById(customerId).lean<Customer>(),
    ]);
    const view = partner && customer ? viewOf(customer, partner) : undefined;
    const month = monthOf(ctx.now(), ctx.timezone);
    return view && { ...view, months: [month, monthBefore(month)] };
  }

  /**
   * Makes the person a partner under `plan` (an ended partnership starts again). Returns whether
   * this call changed anything; the partner is told either way, once per partnership (keyed by
   * its start), so a retry after a cut-off still tells them.
   */
  async function makePartner(
    customerId: Types.ObjectId,
    plan: PartnerPlan,
    addedBy: Types.ObjectId,
  ): Promise<{ partner: Partner; changed: boolean }> {
    const fields = { planId: plan.id, status: 'active' as const, addedBy, addedAt: ctx.now() };
    let changed = true;
    try {
      await models.Partner.create({ customerId, ...fields });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const restarted = await models.Partner.updateOne({ customerId, status: 'ended' }, { $set: fields, $unset: { endedAt: 1 } });
      changed = restarted.modifiedCount > 0;
    }
    const partner = await models.Partner.findOne({ customerId }).lean<Partner>();
    if (!partner) throw new Error('the partner record was not stored');
    welcomes.delete(String(customerId));
    await outbox.record(`partner_added:${String(customerId)}:${partner.addedAt.getTime()}`, 'partner_added', customerId, { planId: partner.planId });
    return { partner, changed };
  }

  /** `/partner add <code> [plan]`: a customer who chatted with the bot becomes a partner. */
  async function add(actor: Actor, rawCode: string, planId?: string): Promise<AddPartnerResult> {
    const allowed = await access.authorize(actor, 'partner_add', ['owner']);
    if (!allowed.ok) return allowed;
    const plan = chosenPlan(planId);
    if ('ok' in plan) return plan;
    const code = normalizeCode(rawCode);
    if (!code) return { ok: false, reason: 'invalid_code' };
    const customer = await models.Customer.findOne({ code }).lean<Customer>();
    if (!customer) {
      await audit.action(actor, 'partner_add', 'not_found', undefined, { code });
      return { ok: false, reason: 'not_found' };
    }
    const existing = await models.Partner.findOne({ customerId: customer._id, status: 'active' }).lean<Partner>();
    if (existing) {
      await audit.action(actor, 'partner_add', 'already_partner', customer._id);
      return { ok: true, customer, plan: viewOf(customer, existing)?.plan ?? plan, changed: false };
    }
    const { partner, changed } = await makePartner(customer._id, plan, actor.customerId);
    await audit.action(actor, 'partner_add', changed ? 'added' : 'unchanged', customer._id, { planId: partner.planId });
    return { ok: true, customer, plan, changed };
  }

  /** `/partner invite [plan]`: a one-time code the owner forwards; it dies with the issuer's owner role. */
  async function createInvite(actor: Actor, planId?: string): Promise<PartnerInviteResult> {
    const allowed = await access.authorize(actor, 'partner_invite', ['owner']);
    if (!allowed.ok) return allowed;
    const plan = chosenPlan(planId);
    if ('ok' in plan) return plan;
    const code = generateCode(INVITE_LENGTH);
    const hours = program.partners.inviteHours;
    await tickets.issue(inviteKey(code), `${String(actor.customerId)}:${plan.id}`, hours * 3600_000);
    await audit.action(actor, 'partner_invite', 'issued', undefined, { planId: plan.id });
    return { ok: true, code, hours, plan };
  }

  /**
   * The person who opens a partner invite becomes a partner under its plan (the first plan if
   * that one left the rules), the invite is used up, and the owner who sent it is told.
   */
  async function acceptInvite(actor: Actor, rawCode: string, name?: string): Promise<AcceptPartnerInviteResult> {
    const refuse = async (reason: 'invalid_invite' | 'issuer_not_owner'): Promise<AcceptPartnerInviteResult> => {
      await audit.refusal(actor, 'partner_invite_accept');
      return { ok: false, reason };
    };
    const code = normalizeCode(rawCode, { min: INVITE_LENGTH, max: INVITE_LENGTH });
    const ticket = code ? await tickets.read(inviteKey(code)) : undefined;
    if (!code || !ticket) return refuse('invalid_invite');
    const [issuerId = '', invitedPlan = ''] = ticket.split(':');
    const [person, issuer, existing] = await Promise.all([
      models.Customer.findById(actor.customerId, { role: 1, name: 1, code: 1 }).lean(),
      models.Customer.findById(issuerId, { role: 1 }).lean(),
      models.Partner.findOne({ customerId: actor.customerId, status: 'active' }, { _id: 1 }).lean(),
    ]);
    if (!person) return { ok: false, reason: 'invalid_invite' };
    // The owner opening their own invite (to check it), or a partner already, must not use it up.
    if (person.role === 'owner') return { ok: false, reason: 'is_owner' };
    if (existing && !(await claims.holder(inviteKey(code)))) return { ok: false, reason: 'already_partner' };
    if (issuer?.role !== 'owner') return refuse('issuer_not_owner');
    const current = planOf(plans(), invitedPlan);
    if (!current) return { ok: false, reason: 'no_plans' };
    // A claim this person already won (a retry after a cut-off) carries on.
    if (!(await claims.takeOrHold(inviteKey(code), String(actor.customerId)))) return refuse('invalid_invite');
    const { partner, changed } = await makePartner(actor.customerId, current.plan, issuer._id);
    await audit.action(actor, 'partner_invite_accept', changed ? 'added' : 'unchanged', actor.customerId, {
      invitedBy: issuerId,
      planId: partner.planId,
    });
    // The chat app's name tells the owner who opened it when the person gave none yet.
    const partnerName = person.name || name || '';
    await outbox.record(`partner_joined:${code}`, 'partner_joined', issuer._id, { partnerName, partnerCode: person.code, planId: partner.planId });
    return { ok: true, plan: current.plan };
  }

  /** An owner's look-up of a partner by their code. */
  async function findPartner(actor: Actor, rawCode: string, action = 'partner_find'): Promise<FindPartnerResult> {
    const allowed = await access.authorize(actor, action, ['owner']);
    if (!allowed.ok) return allowed;
    const code = normalizeCode(rawCode);
    if (!code) return { ok: false, reason: 'invalid_code' };
    const customer = await models.Customer.findOne({ code }).lean<Customer>();
    if (!customer) return { ok: false, reason: 'not_found' };
    const partner = await models.Partner.findOne({ customerId: customer._id, status: 'active' }).lean<Partner>();
    const view = partner && viewOf(customer, partner);
    return view ? { ok: true, ...view } : { ok: false, reason: 'not_a_partner' };
  }

  /** `/partner remove <code>`: the partnership ends; their referrals and statements stay. */
  async function remove(actor: Actor, rawCode: string): Promise<RemovePartnerResult> {
    const found = await findPartner(actor, rawCode, 'partner_remove');
    if (!found.ok) {
      if (found.reason !== 'not_allowed') await audit.action(actor, 'partner_remove', found.reason, undefined, { code: rawCode.slice(0, 16) });
      return found;
    }
    const endedAt = ctx.now();
    await models.Partner.updateOne({ _id: found.partner._id, status: 'active' }, { $set: { status: 'ended', endedAt } });
    welcomes.delete(String(found.customer._id));
    await audit.action(actor, 'partner_remove', 'ended', found.customer._id);
    await outbox.record(`partner_ended:${String(found.customer._id)}:${found.partner.addedAt.getTime()}`, 'partner_ended', found.customer._id, {});
    return { ok: true, customer: found.customer };
  }

  /** The active partners, longest-standing first. */
  async function list(actor: Actor): Promise<ListPartnersResult> {
    const allowed = await access.authorize(actor, 'partner_list', ['owner']);
    if (!allowed.ok) return allowed;
    const partners = await models.Partner.find({ status: 'active' }).sort({ addedAt: 1 }).lean<Partner[]>();
    const people = await findEach(
      partners.map((partner) => partner.customerId),
      (_id) => models.Customer.find({ _id }).lean<Customer[]>(),
    );
    const byId = new Map(people.map((person) => [String(person._id), person]));
    const views = partners.flatMap((partner) => {
      const customer = byId.get(String(partner.customerId));
      const view = customer && viewOf(customer, partner);
      return view ? [view] : [];
    });
    return { ok: true, partners: views };
  }

  return { activePlanOf, welcomeFor, mine, add, createInvite, acceptInvite, findPartner, remove, list };
}

export type PartnerService = ReturnType<typeof createPartnerService>;
