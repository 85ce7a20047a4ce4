import type { Types } from 'mongoose';
import { generateCode, normalizeCode } from '../domain/codes.js';
import type { Customer } from '../db/models/customer.js';
import type { Locale } from '../i18n.js';
import { isDuplicateKey, type Actor, type ServiceContext } from './context.js';
import type { CustomerService } from './customers.js';

const SETUP_CODE_KEY = 'owner_setup_code';

export type StaffChangeResult =
  | { ok: true; customer: Customer; changed: boolean }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'invalid_code' }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'is_owner' };

export type ClaimOwnershipResult = { ok: true } | { ok: false; reason: 'invalid_setup_code' };

/** How long a staff invite from `/staff invite` can be used (once). */
export const STAFF_INVITE_HOURS = 24;
const STAFF_INVITE_LENGTH = 10;

export type StaffInviteResult = { ok: true; code: string; hours: number } | { ok: false; reason: 'not_allowed' };

export type AcceptStaffInviteResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: 'invalid_invite' }
  | { ok: false; reason: 'is_owner' };

export function createRoleService(ctx: ServiceContext, customers: CustomerService) {
  const { models } = ctx;

  async function isStaff(customerId: Types.ObjectId): Promise<boolean> {
    return ctx.hasRole(customerId, ['staff', 'owner']);
  }

  async function isOwner(customerId: Types.ObjectId): Promise<boolean> {
    return ctx.hasRole(customerId, ['owner']);
  }

  /** Makes the OWNER_IDS identities owners, creating their customer records if needed. */
  async function ensureOwners(identities: readonly string[], locale: Locale): Promise<void> {
    for (const identity of identities) {
      const chatId = identity.slice(identity.indexOf(':') + 1);
      const { customer } = await customers.join({ identity, chatId, locale });
      await models.Customer.updateOne({ _id: customer._id }, { $set: { role: 'owner' } });
    }
  }

  /**
   * The one-time code that makes its sender the owner, while the shop has no owner. Stored
   * so that every process prints and accepts the same code; undefined once an owner exists.
   */
  async function getOrCreateSetupCode(): Promise<string | undefined> {
    if (await models.Customer.exists({ role: 'owner' })) return undefined;
    await models.Setting.updateOne(
      { key: SETUP_CODE_KEY },
      { $setOnInsert: { key: SETUP_CODE_KEY, value: generateCode(8) } },
      { upsert: true },
    ).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    const setting = await models.Setting.findOne({ key: SETUP_CODE_KEY }).lean();
    return setting && !setting.usedBy ? setting.value : undefined;
  }

  /** True when the text is the unused owner setup code (so /start can route it). */
  async function isSetupCode(text: string): Promise<boolean> {
    const code = normalizeCode(text, { min: 8, max: 8 });
    if (!code) return false;
    return !!(await models.Setting.exists({ key: SETUP_CODE_KEY, value: code, usedBy: { $exists: false } }));
  }

  async function claimOwnership(actor: Actor, rawCode: string): Promise<ClaimOwnershipResult> {
    const code = normalizeCode(rawCode, { min: 8, max: 8 });
    const current = await models.Setting.findOne({ key: SETUP_CODE_KEY }).lean();
    const claimed =
      !!code && current?.value === code && !current.usedBy && (await ctx.claim(`owner_setup:${code}`, String(actor.customerId)));
    if (!claimed) {
      await ctx.audit(actor, 'claim_ownership', 'invalid_setup_code');
      return { ok: false, reason: 'invalid_setup_code' };
    }
    await models.Setting.updateOne({ key: SETUP_CODE_KEY }, { $set: { usedBy: actor.customerId, usedAt: ctx.now() } });
    await models.Customer.updateOne({ _id: actor.customerId }, { $set: { role: 'owner' } });
    await ctx.audit(actor, 'claim_ownership', 'owner', actor.customerId);
    return { ok: true };
  }

  async function changeStaff(actor: Actor, rawCode: string, add: boolean): Promise<StaffChangeResult> {
    const action = add ? 'staff_add' : 'staff_remove';
    if (!(await isOwner(actor.customerId))) {
      await ctx.audit(actor, action, 'not_allowed');
      return { ok: false, reason: 'not_allowed' };
    }
    const code = normalizeCode(rawCode);
    if (!code) return { ok: false, reason: 'invalid_code' };
    const target = await models.Customer.findOne({ code }).lean<Customer>();
    if (!target) {
      await ctx.audit(actor, action, 'not_found', undefined, { code });
      return { ok: false, reason: 'not_found' };
    }
    if (target.role === 'owner') {
      await ctx.audit(actor, action, 'is_owner', target._id);
      return { ok: false, reason: 'is_owner' };
    }
    const updated = await models.Customer.findOneAndUpdate(
      { _id: target._id, role: add ? 'customer' : 'staff' },
      { $set: { role: add ? 'staff' : 'customer' } },
      { returnDocument: 'after' },
    ).lean<Customer>();
    if (updated) {
      const type = add ? 'staff_added' : 'staff_removed';
      await ctx.recordNotification(`${type}:${String(target._id)}:${ctx.now().getTime()}`, type, target._id, {});
    }
    await ctx.audit(actor, action, updated ? 'changed' : 'unchanged', target._id);
    return { ok: true, customer: updated ?? target, changed: !!updated };
  }

  /** A one-time invite the owner hands to a new staff member instead of asking for their code. */
  async function createStaffInvite(actor: Actor): Promise<StaffInviteResult> {
    if (!(await isOwner(actor.customerId))) {
      await ctx.audit(actor, 'staff_invite', 'not_allowed');
      return { ok: false, reason: 'not_allowed' };
    }
    const code = generateCode(STAFF_INVITE_LENGTH);
    await ctx.issueTicket(`staff_invite:${code}`, String(actor.customerId), STAFF_INVITE_HOURS * 3600_000);
    await ctx.audit(actor, 'staff_invite', 'issued');
    return { ok: true, code, hours: STAFF_INVITE_HOURS };
  }

  /** The person who opens an invite becomes staff; the invite is then used up and its owner told. */
  async function acceptStaffInvite(actor: Actor, rawCode: string): Promise<AcceptStaffInviteResult> {
    const code = normalizeCode(rawCode, { min: STAFF_INVITE_LENGTH, max: STAFF_INVITE_LENGTH });
    const invitedBy = code ? await ctx.readTicket(`staff_invite:${code}`) : undefined;
    if (!code || !invitedBy) {
      await ctx.audit(actor, 'staff_invite_accept', 'invalid_invite');
      return { ok: false, reason: 'invalid_invite' };
    }
    const person = await models.Customer.findById(actor.customerId).lean<Customer>();
    if (!person) return { ok: false, reason: 'invalid_invite' };
    // An owner opening the invite (to check it) must not use it up.
    if (person.role === 'owner') return { ok: false, reason: 'is_owner' };
    if (!(await ctx.claim(`staff_invite:${code}`, String(actor.customerId)))) {
      await ctx.audit(actor, 'staff_invite_accept', 'used');
      return { ok: false, reason: 'invalid_invite' };
    }
    const changed = (await models.Customer.updateOne({ _id: person._id, role: 'customer' }, { $set: { role: 'staff' } })).modifiedCount > 0;
    await ctx.audit(actor, 'staff_invite_accept', changed ? 'changed' : 'unchanged', person._id, { invitedBy });
    const owner = await models.Customer.findById(invitedBy, { _id: 1 }).lean();
    if (owner) {
      await ctx.recordNotification(`staff_joined:${code}`, 'staff_joined', owner._id, { staffName: person.name, staffCode: person.code });
    }
    return { ok: true, changed };
  }

  /** Owners and staff, owners first. */
  async function listStaff(): Promise<Customer[]> {
    const people = await models.Customer.find({ role: { $in: ['owner', 'staff'] } }).sort({ createdAt: 1 }).lean<Customer[]>();
    return people.sort((a, b) => (a.role === b.role ? 0 : a.role === 'owner' ? -1 : 1));
  }

  async function listOwners(): Promise<Customer[]> {
    return models.Customer.find({ role: 'owner' }).lean<Customer[]>();
  }

  return {
    isStaff,
    isOwner,
    ensureOwners,
    getOrCreateSetupCode,
    isSetupCode,
    claimOwnership,
    addStaff: (actor: Actor, code: string) => changeStaff(actor, code, true),
    removeStaff: (actor: Actor, code: string) => changeStaff(actor, code, false),
    createStaffInvite,
    acceptStaffInvite,
    listStaff,
    listOwners,
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
