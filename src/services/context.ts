import type { Types } from 'mongoose';
import type { Role } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { NotificationType } from '../db/models/notification.js';
import type { Logger } from '../logger.js';
import type { Program } from '../program/schema.js';

/** What every use case needs; built once by createServices. */
export interface ServiceDeps {
  models: Models;
  program: Program;
  logger: Logger;
  timezone: string;
  now?: () => Date;
  /** Lets the notifier deliver at once instead of waiting for its sweep. */
  onNotificationsRecorded?: (ids: string[]) => void;
}

/** The person acting on a staff or owner command. */
export interface Actor {
  customerId: Types.ObjectId;
  identity: string;
}

/**
 * An actor whose role a service loaded for this use case. Only `authorize` makes one, so a
 * service handing it on to another service (the dashboard asking reports, roles and fraud)
 * spares a second query without letting a caller claim a role.
 */
export interface Grant extends Actor {
  readonly role: Role;
}

export type Authorization = { ok: true; actor: Grant } | { ok: false; reason: 'not_allowed' };

/** True for MongoDB's duplicate-key error: the unique index already holds that value. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

export function createServiceContext(deps: ServiceDeps) {
  const { models } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * Records a message someone is owed, once per `key` (the cause), due now or at `sendAt`.
   * Safe to repeat: a retried use case finds the earlier record. `toIdentity` sends it to
   * that chat app of the customer instead of the one they used last.
   */
  async function recordNotification(
    key: string,
    type: NotificationType,
    customerId: Types.ObjectId,
    data: Record<string, unknown>,
    options: { toIdentity?: string; sendAt?: Date } = {},
  ): Promise<void> {
    const { sendAt, ...addressing } = options;
    const result = await models.Notification.updateOne(
      { key },
      { $setOnInsert: { key, type, customerId, data, ...addressing, status: 'pending', attempts: 0, nextAttemptAt: sendAt ?? now() } },
      { upsert: true },
    ).catch((error: unknown) => {
      // Two concurrent upserts of one key: the other one recorded it.
      if (isDuplicateKey(error)) return undefined;
      throw error;
    });
    const id = result?.upsertedId;
    if (id) deps.onNotificationsRecorded?.([String(id)]);
  }

  /** A staff or owner action (including its refusals for other reasons than the role). */
  async function audit(
    actor: Actor,
    action: string,
    outcome: string,
    targetId?: Types.ObjectId,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await models.AuditLog.create({
      kind: 'action',
      actorId: actor.customerId,
      actorIdentity: actor.identity,
      action,
      outcome,
      targetId,
      details,
      at: now(),
    });
  }

  /**
   * An attempt refused to someone without the role: one row per person and hour that counts
   * the attempts per action, so a customer sending refused commands cannot push the staff's
   * actions off the audit view. FerretDB may lose an increment when one person's refusals race
   * on the row; a person's messages are rate-limited, so at worst a count is slightly low.
   */
  async function auditRefusal(actor: Actor, action: string): Promise<void> {
    const at = now();
    const hour = new Date(Math.floor(at.getTime() / 3600_000) * 3600_000);
    const key = `refused:${String(actor.customerId)}:${hour.toISOString()}`;
    const upsert = () =>
      models.AuditLog.updateOne(
        { key },
        {
          $inc: { count: 1, [`actions.${action}`]: 1 },
          $set: { at, action, actorIdentity: actor.identity },
          $setOnInsert: { key, kind: 'refused', actorId: actor.customerId, hour, outcome: 'not_allowed' },
        },
        { upsert: true },
      );
    try {
      await upsert();
    } catch (error) {
      // Two first refusals in one hour: the loser of the insert counts on the winner's row.
      if (!isDuplicateKey(error)) throw error;
      await upsert();
    }
  }

  async function flag(key: string, rule: string, customerId: Types.ObjectId, details: Record<string, unknown>): Promise<void> {
    await models.FraudFlag.updateOne(
      { key },
      { $setOnInsert: { key, rule, customerId, details, status: 'open' } },
      { upsert: true },
    ).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }

  /** True for exactly one caller per key, ever (see the Claim model). */
  async function claim(key: string, by?: string): Promise<boolean> {
    try {
      await models.Claim.create({ key, by, at: now() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /**
   * Whether `by` holds the claim on `key`: taken now (when `take`), or by an earlier run of the
   * same cause, so a rerun after a crash finishes what its claim started.
   */
  async function holdsClaim(key: string, by: string, take = true): Promise<boolean> {
    return (take && (await claim(key, by))) || (await models.Claim.findOne({ key }).lean())?.by === by;
  }

  /**
   * Stores a ticket: a short-lived code or token (`key`) that stands for `value` (a customer
   * id) for `lifetimeMs`. Dashboard links, staff invites and app-linking codes are tickets.
   */
  async function issueTicket(key: string, value: string, lifetimeMs: number): Promise<void> {
    await models.Setting.create({ key, value, expiresAt: new Date(now().getTime() + lifetimeMs) });
  }

  /** What an unexpired ticket stands for, or undefined. */
  async function readTicket(key: string): Promise<string | undefined> {
    const ticket = await models.Setting.findOne({ key }, { value: 1, expiresAt: 1 }).lean();
    return ticket?.expiresAt && ticket.expiresAt > now() ? ticket.value : undefined;
  }

  const grants = new WeakSet<Grant>();

  /**
   * The check every staff and owner use case starts with: the actor's role, loaded once per
   * use case (a Grant from an earlier check in the same use case is trusted), and a refusal
   * audited as a refused attempt.
   */
  async function authorize(actor: Actor, action: string, allowed: ReadonlyArray<'staff' | 'owner'>): Promise<Authorization> {
    const known = grants.has(actor as Grant) ? (actor as Grant).role : undefined;
    const role = known ?? (await models.Customer.findById(actor.customerId, { role: 1 }).lean())?.role;
    if (!role || !(allowed as readonly string[]).includes(role)) {
      await auditRefusal(actor, action);
      return { ok: false, reason: 'not_allowed' };
    }
    if (known) return { ok: true, actor: actor as Grant };
    const grant: Grant = Object.freeze({ customerId: actor.customerId, identity: actor.identity, role });
    grants.add(grant);
    return { ok: true, actor: grant };
  }

  return { ...deps, now, recordNotification, audit, auditRefusal, authorize, flag, claim, holdsClaim, issueTicket, readTicket };
}

export type ServiceContext = ReturnType<typeof createServiceContext>;
