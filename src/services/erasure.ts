import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ActionService } from './actions.js';
import type { ServicePieces } from './context.js';
import type { CustomerImportService } from './customer-import.js';
import type { CustomerService } from './customers.js';
import type { IdentityLinkService } from './identity-link.js';
import { createInactiveCustomers } from './inactive-customers.js';
import type { Limits } from './limits.js';
import type { MemberCardService } from './member-cards.js';
import type { PointsLedger } from './points.js';
import type { QrImages } from './qr-images.js';
import type { ReferralService } from './referrals.js';

/** How long the confirmation of `/delete` can be pressed. */
export const ERASE_CONFIRM_MINUTES = 10;
/** Longest reason kept in the audit log. */
const REASON_LENGTH = 200;

/** Who erased: the person themselves, an owner on their request, or the inactive-customers policy. */
export type ErasedBy = 'self' | 'owner' | 'retention';

export type EraseRefusal =
  | 'not_allowed'
  | 'not_found'
  /** Staff are removed from staff by an owner first: their actions are in the audit log under their record. */
  | 'is_staff'
  /** An owner is never erased from the back office; an owner erases themselves only while another owner remains. */
  | 'is_owner'
  | 'last_owner'
  | 'missing_reason';

export type EraseResult = { ok: true; already: boolean } | { ok: false; reason: EraseRefusal };

export type AskEraseResult = { ok: true; token: string; minutes: number } | { ok: false; reason: 'is_staff' | 'last_owner' };

export type ConfirmEraseResult = EraseResult | { ok: false; reason: 'stale' };

/** Who an owner is about to erase: enough to be sure it is the right person. */
export type ErasePreview =
  | { ok: true; customer: Pick<Customer, '_id' | 'name' | 'code' | 'phone' | 'visitCount' | 'points'> }
  | { ok: false; reason: 'not_allowed' | 'not_found' | 'ambiguous_phone' | 'is_staff' | 'is_owner' };

export type ErasureServiceDeps = Pick<
  ServicePieces,
  'program' | 'now' | 'timezone' | 'logger' | 'access' | 'audit' | 'outbox' | 'records' | 'tickets' | 'claims' | 'flags'
> & { models: Pick<Models, 'Customer' | 'ChannelIdentity'> };

export interface ErasureOwners {
  customers: CustomerService;
  referrals: ReferralService;
  points: PointsLedger;
  customerImport: CustomerImportService;
  actions: ActionService;
  memberCards: MemberCardService;
  identityLink: IdentityLinkService;
  limits: Limits;
  qrImages: QrImages;
}

const confirmKey = (token: string) => `erase_confirm:${token}`;
/** The code an erased record keeps: unique (its id), and of a shape no code lookup or link accepts. */
const pseudonymOf = (customerId: Types.ObjectId) => `erased-${String(customerId)}`;

/**
 * Erasure of a person's data (services/erasure.ts). The record keeps its id, so the ledger,
 * visits, vouchers, memberships and the referrals others' counts rest on stay, under a
 * pseudonym; everything that names, reaches or identifies the person is removed, each part by
 * the service that owns its collection. Every step is safe to repeat and the record is marked
 * done only at the end, so a crash half-way is finished by the next run (see `sweepInactive`).
 */
export function createErasureService(ctx: ErasureServiceDeps, owners: ErasureOwners) {
  const { models, access, audit, records, tickets } = ctx;

  async function otherOwnerExists(customerId: Types.ObjectId): Promise<boolean> {
    const owners = await models.Customer.find({ role: 'owner' }, { _id: 1 }).limit(2).lean();
    return owners.some((owner) => !owner._id.equals(customerId));
  }

  /** Whether a person may erase themselves: staff and the last owner may not. */
  async function selfRefusal(customer: Customer): Promise<'is_staff' | 'last_owner' | undefined> {
    if (customer.role === 'staff') return 'is_staff';
    if (customer.role === 'owner' && !(await otherOwnerExists(customer._id))) return 'last_owner';
    return undefined;
  }

  /** `/delete`: a confirmation the person presses (a ticket only their chat's card carries). */
  async function ask(actor: Actor, customer: Customer): Promise<AskEraseResult> {
    const refusal = await selfRefusal(customer);
    if (refusal) return { ok: false, reason: refusal };
    const token = randomBytes(12).toString('base64url');
    await tickets.issue(confirmKey(token), String(actor.customerId), ERASE_CONFIRM_MINUTES * 60_000);
    return { ok: true, token, minutes: ERASE_CONFIRM_MINUTES };
  }

  /** The confirmation pressed: only with a live ticket of this very person. */
  async function confirm(actor: Actor, token: string): Promise<ConfirmEraseResult> {
    const key = confirmKey(token);
    if ((await tickets.read(key)) !== String(actor.customerId)) return { ok: false, reason: 'stale' };
    const result = await erase(actor, actor.customerId, 'self_request');
    if (result.ok) await tickets.revoke(key);
    return result;
  }

  /** "Keep my data": the confirmation stops working. */
  async function cancel(actor: Actor, token: string): Promise<void> {
    await tickets.revoke(confirmKey(token), String(actor.customerId));
  }

  /**
   * Erases `target`: for the person themselves (actor is them), or for an owner on the
   * customer's request (a customer only, with a reason; `onRequest`: the back office, where the
   * target is never the owner). Erasing an erased record again is a no-op.
   */
  async function erase(actor: Actor, target: Types.ObjectId | string, reason: string, options: { onRequest?: boolean } = {}): Promise<EraseResult> {
    // An id from a web form is checked here: anything but 24 hex digits names nobody.
    if (typeof target === 'string' && !/^[0-9a-f]{24}$/.test(target)) return { ok: false, reason: 'not_found' };
    const customerId = typeof target === 'string' ? new Types.ObjectId(target) : target;
    const self = actor.customerId.equals(customerId);
    // The back office erases customers only: an owner never erases themselves there.
    if (self && options.onRequest) return { ok: false, reason: 'is_owner' };
    if (!self) {
      const allowed = await access.authorize(actor, 'erase_customer', ['owner']);
      if (!allowed.ok) return allowed;
    }
    const why = reason.trim().slice(0, REASON_LENGTH);
    if (!why) return { ok: false, reason: 'missing_reason' };
    const customer = await models.Customer.findById(customerId).lean<Customer>();
    if (!customer) return { ok: false, reason: 'not_found' };
    if (customer.erasure === 'done') return { ok: true, already: true };
    if (self) {
      const refusal = await selfRefusal(customer);
      if (refusal) return { ok: false, reason: refusal };
    } else if (customer.role !== 'customer') {
      return { ok: false, reason: customer.role === 'owner' ? 'is_owner' : 'is_staff' };
    }
    await run(customer, self ? 'self' : 'owner', actor.customerId, why);
    return { ok: true, already: false };
  }

  /** Every step, each asked of the collection's owner and safe to repeat; marked done last. */
  async function run(customer: Customer, by: ErasedBy, actorId: Types.ObjectId, reason: string): Promise<void> {
    const id = customer._id;
    await records.beginErasure(id);
    // Audited first: a run finishing after a crash keeps who asked and why.
    await audit.erasure(actorId, id, by, reason);
    const chats = await models.ChannelIdentity.find({ customerId: id }, { identity: 1, channel: 1, chatId: 1 }).lean();
    for (const chat of chats) {
      await owners.actions.forget(chat.identity);
      await ctx.claims.forgetHolder(chat.identity);
      await owners.qrImages.forgetChat(chat.chatId);
    }
    await owners.limits.forget(chats);
    await owners.identityLink.forget(
      id,
      chats.map((chat) => chat.identity),
    );
    await owners.memberCards.forget(id);
    await tickets.revokeFor(String(id));
    await ctx.flags.erase(id);
    await owners.customerImport.erase(id, await owners.points.erase(id));
    await owners.customers.erasePhones(id);
    const pseudonym = pseudonymOf(id);
    await owners.referrals.erase(id, pseudonym);
    await ctx.outbox.erase(id, { name: customer.name, code: customer.code });
    await audit.erase(id, customer.code);
    await records.forgetIdentities(id);
    await records.finishErasure(id, pseudonym);
    ctx.logger.info({ customerId: String(id), by }, 'customer erased');
  }

  /** Who an owner is about to erase from the back office (by code or phone, as staff look people up). */
  async function preview(actor: Actor, query: string): Promise<ErasePreview> {
    const allowed = await access.authorize(actor, 'erase_customer', ['owner']);
    if (!allowed.ok) return allowed;
    const found = await owners.customers.lookup(query.trim());
    if (!found.ok) return found;
    const { customer } = found;
    if (customer.role !== 'customer') return { ok: false, reason: customer.role === 'owner' ? 'is_owner' : 'is_staff' };
    return { ok: true, customer };
  }

  const inactive = createInactiveCustomers(ctx, run);

  return { ask, confirm, cancel, erase, preview, sweepInactive: inactive.sweep };
}

export type ErasureService = ReturnType<typeof createErasureService>;
