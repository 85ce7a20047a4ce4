import type { Types } from 'mongoose';
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

/** True for MongoDB's duplicate-key error: the unique index already holds that value. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

export function createServiceContext(deps: ServiceDeps) {
  const { models } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * Records a message someone is owed, once per `key` (the cause), due now or at `sendAt`.
   * Safe to repeat: a retried use case finds the earlier record.
   */
  async function recordNotification(
    key: string,
    type: NotificationType,
    customerId: Types.ObjectId,
    data: Record<string, unknown>,
    options: { sendAt?: Date } = {},
  ): Promise<void> {
    const result = await models.Notification.updateOne(
      { key },
      { $setOnInsert: { key, type, customerId, data, status: 'pending', attempts: 0, nextAttemptAt: options.sendAt ?? now() } },
      { upsert: true },
    ).catch((error: unknown) => {
      // Two concurrent upserts of one key: the other one recorded it.
      if (isDuplicateKey(error)) return undefined;
      throw error;
    });
    const id = result?.upsertedId;
    if (id) deps.onNotificationsRecorded?.([String(id)]);
  }

  async function audit(
    actor: Actor,
    action: string,
    outcome: string,
    targetId?: Types.ObjectId,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await models.AuditLog.create({
      actorId: actor.customerId,
      actorIdentity: actor.identity,
      action,
      outcome,
      targetId,
      details,
      at: now(),
    });
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

  /** True when the customer may use staff commands (staff or owner). */
  async function hasRole(customerId: Types.ObjectId, allowed: ReadonlyArray<'staff' | 'owner'>): Promise<boolean> {
    const customer = await models.Customer.findById(customerId, { role: 1 }).lean();
    return !!customer && (allowed as readonly string[]).includes(customer.role);
  }

  return { ...deps, now, recordNotification, audit, flag, hasRole, claim, issueTicket, readTicket };
}

export type ServiceContext = ReturnType<typeof createServiceContext>;
