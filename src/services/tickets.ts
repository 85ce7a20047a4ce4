import type { Models } from '../db/models/index.js';
import { isDuplicateKey } from './duplicate-key.js';

/**
 * Tickets: short-lived codes or tokens that stand for a value (a customer id) for a while.
 * Dashboard links and sessions, staff invites, app-linking codes and the owner setup code
 * are tickets; the visitor salt is the one setting kept for good. The only writer of Setting.
 */
export function createTickets(models: Pick<Models, 'Setting'>, now: () => Date) {
  /** Stores a ticket `key` standing for `value` for `lifetimeMs`. A key already stored is a duplicate-key error. */
  async function issue(key: string, value: string, lifetimeMs: number): Promise<void> {
    await models.Setting.create({ key, value, expiresAt: new Date(now().getTime() + lifetimeMs) });
  }

  /** What an unexpired ticket stands for, or undefined. */
  async function read(key: string): Promise<string | undefined> {
    const ticket = await models.Setting.findOne({ key }, { value: 1, expiresAt: 1 }).lean();
    return ticket?.expiresAt && ticket.expiresAt > now() ? ticket.value : undefined;
  }

  /** Ends a ticket: only while it still stands for `value` when that is given (a fresh one issued meanwhile stays). */
  async function revoke(key: string, value?: string): Promise<void> {
    await models.Setting.deleteOne(value === undefined ? { key } : { key, value });
  }

  /** Ends the ticket under `key` if it expired (or never had an expiry). */
  async function revokeIfExpired(key: string): Promise<void> {
    await models.Setting.deleteOne({ key, $or: [{ expiresAt: { $lte: now() } }, { expiresAt: { $exists: false } }] });
  }

  /** How many unexpired tickets have a key that matches. */
  async function countLive(pattern: RegExp): Promise<number> {
    return models.Setting.countDocuments({ key: pattern, expiresAt: { $gt: now() } });
  }

  /** Ends every ticket whose key matches (e.g. all dashboard access). */
  async function revokeMatching(pattern: RegExp): Promise<void> {
    await models.Setting.deleteMany({ key: pattern });
  }

  /** A value kept for good under `key`, made by whichever process asks first; every process reads the same one. */
  async function permanent(key: string, make: () => string): Promise<string> {
    await models.Setting.updateOne({ key }, { $setOnInsert: { key, value: make() } }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    const stored = await models.Setting.findOne({ key }, { value: 1 }).lean();
    if (!stored) throw new Error(`the setting ${key} was not stored`);
    return stored.value;
  }

  /** Deletes tickets expired before `at` (FerretDB has no TTL indexes); permanent settings stay. */
  async function pruneExpired(at: Date): Promise<number> {
    return (await models.Setting.deleteMany({ expiresAt: { $lt: at } })).deletedCount;
  }

  /** Erasure: every ticket standing for this customer (dashboard links and sessions, invites, app-linking codes, download links). */
  async function revokeFor(customerId: string): Promise<void> {
    await models.Setting.deleteMany({ value: customerId, expiresAt: { $exists: true } });
    // App-linking codes stand for a small JSON value naming the customer; download links for `<kind>:<customer id>`.
    await models.Setting.deleteMany({ key: /^link_code:/, value: new RegExp(customerId) });
    await models.Setting.deleteMany({ key: /^download:/, value: new RegExp(`:${customerId}$`) });
  }

  return { issue, read, revoke, revokeIfExpired, countLive, revokeMatching, permanent, pruneExpired, revokeFor };
}

export type Tickets = ReturnType<typeof createTickets>;
