import { Types } from 'mongoose';
import type { FraudFlag } from '../db/models/fraud-flag.js';
import type { Actor, ServiceContext } from './context.js';

export type ResolveFlagResult =
  | { ok: true; flag: FraudFlag }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'not_found' };

/** The owner's review queue of suspected fraud. */
export function createFraudService(ctx: ServiceContext) {
  const { models } = ctx;

  /** The open flags, newest first; the chat shows a few (one message each), the dashboard more. */
  async function listOpen(actor: Actor, limit = 20): Promise<{ ok: true; flags: FraudFlag[] } | { ok: false; reason: 'not_allowed' }> {
    const allowed = await ctx.authorize(actor, 'flags', ['owner']);
    if (!allowed.ok) return allowed;
    const flags = await models.FraudFlag.find({ status: 'open' }).sort({ createdAt: -1 }).limit(limit).lean<FraudFlag[]>();
    return { ok: true, flags };
  }

  async function resolve(actor: Actor, flagId: string, decision: 'dismissed' | 'confirmed'): Promise<ResolveFlagResult> {
    const allowed = await ctx.authorize(actor, 'resolve_flag', ['owner']);
    if (!allowed.ok) return allowed;
    if (!Types.ObjectId.isValid(flagId)) return { ok: false, reason: 'not_found' };
    const flag = await models.FraudFlag.findOneAndUpdate(
      { _id: new Types.ObjectId(flagId), status: 'open' },
      { $set: { status: decision, resolvedBy: actor.customerId, resolvedAt: ctx.now() } },
      { returnDocument: 'after' },
    ).lean<FraudFlag>();
    if (!flag) return { ok: false, reason: 'not_found' };
    await ctx.audit(actor, 'resolve_flag', decision, flag.customerId, { flagId });
    return { ok: true, flag };
  }

  return { listOpen, resolve };
}
export type FraudService = ReturnType<typeof createFraudService>;
