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
    listStaff,
    listOwners,
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
