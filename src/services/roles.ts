import { generateCode, normalizeCode } from '../domain/codes.js';
import { parseIdentity } from '../domain/identity.js';
import type { Customer } from '../db/models/customer.js';
import type { Locale } from '../i18n.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import type { Actor } from './access.js';
import type { CustomerService } from './customers.js';
import { isDuplicateKey } from './duplicate-key.js';
import { findEach } from '../db/each-value.js';

/** The ticket holding the current owner setup code (one for every process). */
const SETUP_CODE_KEY = 'owner_setup_code';
/** How long a printed setup code works while the shop has no owner. */
export const SETUP_CODE_HOURS = 24;
const SETUP_CODE_LENGTH = 8;
/** Claims that remember every setup code ever issued (so an old one is told apart) and the one use of each. */
const issuedKey = (code: string) => `owner_setup_issued:${code}`;
const usedKey = (code: string) => `owner_setup:${code}`;

export type StaffChangeResult =
  | { ok: true; customer: Customer; changed: boolean }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'invalid_code' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'is_owner' };

export type ClaimOwnershipResult =
  { ok: true } | { ok: false; reason: 'invalid_setup_code' } | { ok: false; reason: 'setup_code_expired' } | { ok: false; reason: 'owner_exists' };

export type ListStaffResult = { ok: true; people: Customer[] } | { ok: false; reason: 'not_allowed' };

/** How long a staff invite from `/staff invite` can be used (once). */
export const STAFF_INVITE_HOURS = 24;
const STAFF_INVITE_LENGTH = 10;

export type StaffInviteResult = { ok: true; code: string; hours: number } | { ok: false; reason: 'not_allowed' };

export type AcceptStaffInviteResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: 'invalid_invite' }
  | { ok: false; reason: 'issuer_not_owner' }
  | { ok: false; reason: 'is_owner' };

export type RoleServiceDeps = Pick<ServicePieces, 'access' | 'audit' | 'outbox' | 'claims' | 'tickets' | 'records'> & {
  models: Pick<Models, 'Customer'>;
};

export function createRoleService(ctx: RoleServiceDeps, customers: CustomerService) {
  const { models, access, audit, outbox, claims, tickets, records } = ctx;

  /** Makes the OWNER_IDS identities owners, creating their customer records if needed. */
  async function ensureOwners(identities: readonly string[], locale: Locale): Promise<void> {
    for (const identity of identities) {
      const { customer } = await customers.join({ identity, chatId: parseIdentity(identity)?.id ?? '', locale });
      await records.setRole(customer._id, 'owner');
    }
  }

  /**
   * The code that makes its sender the owner, printed at start while the shop has no owner.
   * Kept as a ticket so every process prints and accepts the same one; after 24 hours (or
   * once used by an owner who is gone) the next start issues a fresh one.
   */
  async function getOrCreateSetupCode(): Promise<string | undefined> {
    if (await models.Customer.exists({ role: 'owner' })) return undefined;
    const current = await tickets.read(SETUP_CODE_KEY);
    if (current && !(await claims.holder(usedKey(current)))) return current;
    // Only the finished ticket goes: a fresh one another process just issued stays.
    await (current ? tickets.revoke(SETUP_CODE_KEY, current) : tickets.revokeIfExpired(SETUP_CODE_KEY));
    const code = generateCode(SETUP_CODE_LENGTH);
    try {
      await tickets.issue(SETUP_CODE_KEY, code, SETUP_CODE_HOURS * 3600_000);
      await claims.take(issuedKey(code));
    } catch (error) {
      // Another process issued the fresh code first: print that one.
      if (!isDuplicateKey(error)) throw error;
    }
    return tickets.read(SETUP_CODE_KEY);
  }

  /** True when the text is an owner setup code, current or past (so /start can answer it as one). */
  async function isSetupCode(text: string): Promise<boolean> {
    const code = normalizeCode(text, { min: SETUP_CODE_LENGTH, max: SETUP_CODE_LENGTH });
    return !!code && !!(await claims.holder(issuedKey(code)));
  }

  /** Makes the sender the owner with the current setup code, only while the shop has no owner. */
  async function claimOwnership(actor: Actor, rawCode: string): Promise<ClaimOwnershipResult> {
    const refuse = async (reason: Exclude<ClaimOwnershipResult, { ok: true }>['reason']): Promise<ClaimOwnershipResult> => {
      await audit.refusal(actor, 'claim_ownership');
      return { ok: false, reason };
    };
    const code = normalizeCode(rawCode, { min: SETUP_CODE_LENGTH, max: SETUP_CODE_LENGTH });
    if (!code) return refuse('invalid_setup_code');
    if (await models.Customer.exists({ role: 'owner' })) return refuse('owner_exists');
    if ((await tickets.read(SETUP_CODE_KEY)) !== code) {
      return refuse((await claims.holder(issuedKey(code))) ? 'setup_code_expired' : 'invalid_setup_code');
    }
    // Two people sending the code at once: the claim lets exactly one become the owner. A claim
    // this person already won (a retry after the role update was cut off) carries on.
    if (!(await claims.takeOrHold(usedKey(code), String(actor.customerId)))) return refuse('owner_exists');
    await records.setRole(actor.customerId, 'owner');
    await audit.action(actor, 'claim_ownership', 'owner', actor.customerId);
    return { ok: true };
  }

  /** `reason` (asked by the back office's form) is kept in the audit log with the change. */
  async function changeStaff(actor: Actor, rawCode: string, add: boolean, reason?: string): Promise<StaffChangeResult> {
    const action = add ? 'staff_add' : 'staff_remove';
    const allowed = await access.authorize(actor, action, ['owner']);
    if (!allowed.ok) return allowed;
    const code = normalizeCode(rawCode);
    if (!code) return { ok: false, reason: 'invalid_code' };
    const target = await models.Customer.findOne({ code }).lean<Customer>();
    if (!target) {
      await audit.action(actor, action, 'not_found', undefined, { code });
      return { ok: false, reason: 'not_found' };
    }
    if (target.role === 'owner') {
      await audit.action(actor, action, 'is_owner', target._id);
      return { ok: false, reason: 'is_owner' };
    }
    const updated = await records.setRole(target._id, add ? 'staff' : 'customer', add ? 'customer' : 'staff');
    await audit.action(actor, action, updated ? 'changed' : 'unchanged', target._id, reason ? { reason } : {});
    // Keyed by the how-manieth change this is (audited first), not the moment: a retry after a
    // cut-off tells the person, once, what already changed.
    if (updated || target.role === (add ? 'staff' : 'customer')) {
      const type = add ? 'staff_added' : 'staff_removed';
      const change = await audit.count(action, 'changed', target._id);
      await outbox.record(`${type}:${String(target._id)}:${change}`, type, target._id, {});
    }
    return { ok: true, customer: updated ?? target, changed: !!updated };
  }

  /** A one-time invite the owner hands to a new staff member instead of asking for their code. */
  async function createStaffInvite(actor: Actor): Promise<StaffInviteResult> {
    const allowed = await access.authorize(actor, 'staff_invite', ['owner']);
    if (!allowed.ok) return allowed;
    const code = generateCode(STAFF_INVITE_LENGTH);
    await tickets.issue(`staff_invite:${code}`, String(actor.customerId), STAFF_INVITE_HOURS * 3600_000);
    await audit.action(actor, 'staff_invite', 'issued');
    return { ok: true, code, hours: STAFF_INVITE_HOURS };
  }

  /**
   * The person who opens an invite becomes staff; the invite is then used up and its owner
   * told. An invite dies with its issuer's owner role. `name` (the chat app's) names a person
   * who had not agreed to the privacy notice: working for the shop, they are known by name.
   */
  async function acceptStaffInvite(actor: Actor, rawCode: string, name?: string): Promise<AcceptStaffInviteResult> {
    const refuse = async (reason: 'invalid_invite' | 'issuer_not_owner'): Promise<AcceptStaffInviteResult> => {
      await audit.refusal(actor, 'staff_invite_accept');
      return { ok: false, reason };
    };
    const code = normalizeCode(rawCode, { min: STAFF_INVITE_LENGTH, max: STAFF_INVITE_LENGTH });
    const invitedBy = code ? await tickets.read(`staff_invite:${code}`) : undefined;
    if (!code || !invitedBy) return refuse('invalid_invite');
    const [person, issuer] = await Promise.all([
      models.Customer.findById(actor.customerId).lean<Customer>(),
      models.Customer.findById(invitedBy, { role: 1 }).lean(),
    ]);
    if (!person) return { ok: false, reason: 'invalid_invite' };
    // An owner opening the invite (to check it) must not use it up.
    if (person.role === 'owner') return { ok: false, reason: 'is_owner' };
    if (issuer?.role !== 'owner') return refuse('issuer_not_owner');
    // A claim this person already won (a retry after the role update was cut off) carries on.
    if (!(await claims.takeOrHold(`staff_invite:${code}`, String(actor.customerId)))) return refuse('invalid_invite');
    const changed = !!(await records.setRole(person._id, 'staff', 'customer'));
    if (!person.name && name) await records.rename(person._id, '', name);
    await audit.action(actor, 'staff_invite_accept', changed ? 'changed' : 'unchanged', person._id, { invitedBy });
    await outbox.record(`staff_joined:${code}`, 'staff_joined', issuer._id, { staffName: person.name || name || '', staffCode: person.code });
    return { ok: true, changed };
  }

  /** Owners and staff, owners first. */
  async function listStaff(actor: Actor): Promise<ListStaffResult> {
    const allowed = await access.authorize(actor, 'staff_list', ['owner']);
    if (!allowed.ok) return allowed;
    const people = await findEach(['owner', 'staff'] as const, (role) => models.Customer.find({ role }).lean<Customer[]>());
    const rank = (person: Customer) => (person.role === 'owner' ? 0 : 1);
    return { ok: true, people: people.sort((a, b) => rank(a) - rank(b) || a.createdAt.getTime() - b.createdAt.getTime()) };
  }

  return {
    ensureOwners,
    getOrCreateSetupCode,
    isSetupCode,
    claimOwnership,
    addStaff: (actor: Actor, code: string, reason?: string) => changeStaff(actor, code, true, reason),
    removeStaff: (actor: Actor, code: string, reason?: string) => changeStaff(actor, code, false, reason),
    createStaffInvite,
    acceptStaffInvite,
    listStaff,
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
