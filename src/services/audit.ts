import type { Types } from 'mongoose';
import type { Models } from '../db/models/index.js';
import { withoutPhones } from '../domain/phone.js';
import type { Actor } from './access.js';
import { isDuplicateKey } from './duplicate-key.js';
import { pruneInBatches } from './prune-days.js';

const ERASURE_ACTION = 'erase_customer';

/** The audit log of staff and owner actions, and of attempts refused for lack of a role. */
export function createAuditLog(models: Pick<Models, 'AuditLog'>, now: () => Date) {
  /** A staff or owner action (including its refusals for other reasons than the role). */
  async function action(
    actor: Actor,
    name: string,
    outcome: string,
    targetId?: Types.ObjectId,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await models.AuditLog.create({
      kind: 'action',
      actorId: actor.customerId,
      actorIdentity: actor.identity,
      action: name,
      outcome,
      targetId,
      // Staff type phone numbers (a lookup, a reason): the log keeps them masked, never whole.
      details: withoutPhones(details),
      at: now(),
    });
  }

  /**
   * An attempt refused to someone without the role: one row per person and hour that counts
   * the attempts per action, so a customer sending refused commands cannot push the staff's
   * actions off the audit view. FerretDB may lose an increment when one person's refusals race
   * on the row; a person's messages are rate-limited, so at worst a count is slightly low.
   */
  async function refusal(actor: Actor, name: string): Promise<void> {
    const at = now();
    const hour = new Date(Math.floor(at.getTime() / 3600_000) * 3600_000);
    const key = `refused:${String(actor.customerId)}:${hour.toISOString()}`;
    const upsert = () =>
      models.AuditLog.updateOne(
        { key },
        {
          $inc: { count: 1, [`actions.${name}`]: 1 },
          $set: { at, action: name, actorIdentity: actor.identity },
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

  /** How many times `name` ended with `outcome` for this target (e.g. the how-manieth change this is). */
  async function count(name: string, outcome: string, targetId: Types.ObjectId): Promise<number> {
    return models.AuditLog.countDocuments({ action: name, outcome, targetId });
  }

  /**
   * Erasure: the rows stay (who did what, when, to which record), but those by or about the
   * person lose their chat identity and details (free text, codes, amounts typed about them),
   * and a lookup that typed their old code no longer shows it.
   */
  async function erase(customerId: Types.ObjectId, code: string): Promise<void> {
    // The erasure's own row (its reason) stays as written.
    const notErasure = { action: { $ne: ERASURE_ACTION } };
    await models.AuditLog.updateMany({ actorId: customerId, ...notErasure }, { $set: { details: {} }, $unset: { actorIdentity: 1 } });
    await models.AuditLog.updateMany({ targetId: customerId, ...notErasure }, { $set: { details: {} } });
    await models.AuditLog.updateMany({ 'details.query': code }, { $set: { 'details.query': '' } });
    await models.AuditLog.updateMany({ 'details.code': code }, { $set: { 'details.code': '' } });
  }

  /**
   * The erasure itself, audited once per record (a retried erasure keeps the first row): who
   * asked (`by`: self, owner or retention; the owner's id), on whose record, and why.
   */
  async function erasure(actorId: Types.ObjectId, customerId: Types.ObjectId, by: string, reason: string): Promise<void> {
    const key = `erasure:${String(customerId)}`;
    const row = { key, kind: 'action', actorId, action: ERASURE_ACTION, outcome: 'erased', targetId: customerId, details: { by, reason }, at: now() };
    await models.AuditLog.updateOne({ key }, { $setOnInsert: row }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }

  /** The retention of the audit log: rows of before `before` go, in batches. */
  function prune(before: Date): Promise<number> {
    return pruneInBatches({
      olderIds: (limit) =>
        models.AuditLog.find({ at: { $lt: before } }, { _id: 1 })
          .limit(limit)
          .lean(),
      removeId: (_id) => models.AuditLog.deleteMany({ _id }),
    });
  }

  /**
   * Masks the phone numbers in the details of rows written before the log masked them (run
   * once, see retention.ts). Reads the whole log once; rewrites only the rows that change.
   */
  async function maskStoredPhones(): Promise<number> {
    let changed = 0;
    for await (const row of models.AuditLog.find({}, { details: 1 }).lean().cursor()) {
      const details = (row.details ?? {}) as Record<string, unknown>;
      const masked = withoutPhones(details);
      if (JSON.stringify(masked) === JSON.stringify(details)) continue;
      await models.AuditLog.updateOne({ _id: row._id }, { $set: { details: masked } });
      changed += 1;
    }
    return changed;
  }

  return { action, refusal, count, erase, erasure, prune, maskStoredPhones };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
