import { Types } from 'mongoose';
import { generateCode, normalizeCode } from '../domain/codes.js';
import { channelOf } from '../domain/identity.js';
import type { Customer } from '../db/models/customer.js';
import type { LinkOutcome, LinkRequest } from '../db/models/link-request.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { CustomerService } from './customers.js';

const LINK_CODE_MINUTES = 15;
/** Longer than deciding takes: a decision this old with no outcome was cut off mid-way (a crash, the database away). */
const RESUME_DECISION_AFTER_MS = 60_000;
const APPS = ['telegram', 'zalo'] as const;
export type ChatApp = (typeof APPS)[number];

export interface LinkedApp {
  identityId: string;
  app: ChatApp;
  name: string;
  /** The chat the person is writing from. */
  current: boolean;
}

export interface ConnectOverview {
  apps: LinkedApp[];
  /** Apps this account has no chat in yet. */
  missing: ChatApp[];
  /** A one-time code for this chat to join the account the person already has in another app. */
  code?: { code: string; minutes: number };
}

export type RequestLinkResult =
  | { ok: true; requestId: string; app: ChatApp; name: string }
  | { ok: false; reason: 'invalid_code' }
  /** `app`: the app the code was made in. */
  | { ok: false; reason: 'same_app' | 'same_customer' | 'has_history' | 'app_taken'; app: ChatApp };

export type RequestUnlinkResult =
  { ok: true; requestId: string; app: ChatApp; name: string } | { ok: false; reason: 'not_linked' | 'current_identity' };

export type DecideResult =
  | { ok: true; outcome: Exclude<LinkOutcome, 'refused'>; app: ChatApp; name: string; points: number }
  | { ok: false; reason: 'invalid_request' | 'expired' }
  | { ok: false; reason: 'already_decided'; outcome: LinkOutcome; app: ChatApp; name: string }
  | { ok: false; reason: 'refused'; why: 'moved' | 'has_history' | 'app_taken' | 'not_linked' | 'current_identity'; app: ChatApp; name: string };

interface CodeTicket {
  customerId: string;
  identity: string;
  expiresAt: string;
}

function parseTicket(value: string | undefined): CodeTicket | undefined {
  if (!value) return undefined;
  const parsed = JSON.parse(value) as Partial<CodeTicket>;
  return typeof parsed.customerId === 'string' && typeof parsed.identity === 'string' && typeof parsed.expiresAt === 'string'
    ? (parsed as CodeTicket)
    : undefined;
}

const isObjectId = (id: string) => /^[0-9a-f]{24}$/.test(id);

/**
 * One person on Telegram and Zalo becomes one customer, only with the yes of the account
 * that keeps its history: the new app's chat asks for a one-time code, the person sends it
 * in the app they already use, and that account is asked to confirm. Only a chat whose
 * account has no history of its own (no visit, referral, voucher, points or role) is moved,
 * so two real histories are never merged and nobody takes over a staff or owner account.
 * An account holds at most one chat per app; any linked chat but the current one can be
 * unlinked again into an account of its own.
 */
export type IdentityLinkDeps = Pick<ServicePieces, 'now' | 'audit' | 'outbox' | 'claims' | 'tickets' | 'records'> & {
  models: Pick<Models, 'ChannelIdentity' | 'LinkRequest' | 'Referral' | 'Voucher'>;
};

export function createIdentityLinkService(ctx: IdentityLinkDeps, customers: CustomerService) {
  const { models, audit, outbox, claims, tickets, records } = ctx;

  async function hasHistory(customer: Customer): Promise<boolean> {
    if (customer.firstVisitAt || customer.points > 0 || customer.referrerId || customer.role !== 'customer') return true;
    const [referrals, vouchers] = await Promise.all([
      models.Referral.exists({ referrerId: customer._id }),
      models.Voucher.exists({ customerId: customer._id }),
    ]);
    return !!referrals || !!vouchers;
  }

  async function displayName(identity: string, fallback = ''): Promise<string> {
    const found = await models.ChannelIdentity.findOne({ identity }, { displayName: 1 }).lean();
    return found?.displayName || fallback;
  }

  /** The apps linked to the actor's account, and a code when this chat could join another account. */
  async function overview(actor: Actor): Promise<ConnectOverview> {
    const identities = await models.ChannelIdentity.find({ customerId: actor.customerId }).sort({ createdAt: 1 }).lean();
    const apps = identities.map((i) => ({ identityId: String(i._id), app: i.channel, name: i.displayName, current: i.identity === actor.identity }));
    const missing = APPS.filter((app) => !apps.some((linked) => linked.app === app));
    const customer = await customers.getById(actor.customerId);
    if (missing.length === 0 || !customer || (await hasHistory(customer))) return { apps, missing };
    const code = generateCode(8);
    const expiresAt = new Date(ctx.now().getTime() + LINK_CODE_MINUTES * 60_000);
    const ticket: CodeTicket = { customerId: String(actor.customerId), identity: actor.identity, expiresAt: expiresAt.toISOString() };
    await tickets.issue(`link_code:${code}`, JSON.stringify(ticket), LINK_CODE_MINUTES * 60_000);
    return { apps, missing, code: { code, minutes: LINK_CODE_MINUTES } };
  }

  /** The actor entered a code made in another app's chat: asks the actor's account to confirm. */
  async function requestLink(actor: Actor, rawCode: string): Promise<RequestLinkResult> {
    const code = normalizeCode(rawCode, { min: 8, max: 8 });
    const ticket = parseTicket(code ? await tickets.read(`link_code:${code}`) : undefined);
    if (!code || !ticket) return { ok: false, reason: 'invalid_code' };
    const newcomerId = new Types.ObjectId(ticket.customerId);
    const app = channelOf(ticket.identity);
    const details = { codeApp: app, accountApp: channelOf(actor.identity) };
    const refuse = async (reason: 'same_app' | 'same_customer' | 'has_history' | 'app_taken'): Promise<RequestLinkResult> => {
      // Rolled up like every refused attempt: a customer repeating a refused code must not flood the audit view.
      await audit.refusal(actor, 'connect_code');
      return { ok: false, reason, app };
    };
    if (app === channelOf(actor.identity)) return refuse('same_app');
    if (newcomerId.equals(actor.customerId)) return refuse('same_customer');
    const source = await models.ChannelIdentity.findOne({ identity: ticket.identity }).lean();
    const newcomer = await customers.getById(newcomerId);
    if (!source?.customerId.equals(newcomerId) || !newcomer) return { ok: false, reason: 'invalid_code' };
    if (await hasHistory(newcomer)) return refuse('has_history');
    if (await models.ChannelIdentity.exists({ customerId: actor.customerId, channel: app })) return refuse('app_taken');
    if (!(await claims.take(`link_code:${code}`, String(actor.customerId)))) return { ok: false, reason: 'invalid_code' };

    const request = await models.LinkRequest.create({
      kind: 'link',
      customerId: actor.customerId,
      identity: ticket.identity,
      fromCustomerId: newcomerId,
      expiresAt: new Date(ticket.expiresAt),
    });
    await audit.action(actor, 'connect_code', 'requested', newcomerId, details);
    return { ok: true, requestId: String(request._id), app, name: source.displayName || newcomer.name };
  }

  /** Asks the actor's account to confirm unlinking one of its other chats. */
  async function requestUnlink(actor: Actor, identityId: string): Promise<RequestUnlinkResult> {
    const target = isObjectId(identityId) ? await models.ChannelIdentity.findById(identityId).lean() : undefined;
    if (!target?.customerId.equals(actor.customerId)) return { ok: false, reason: 'not_linked' };
    if (target.identity === actor.identity) return { ok: false, reason: 'current_identity' };
    const request = await models.LinkRequest.create({
      kind: 'unlink',
      customerId: actor.customerId,
      identity: target.identity,
      fromCustomerId: actor.customerId,
      expiresAt: new Date(ctx.now().getTime() + LINK_CODE_MINUTES * 60_000),
    });
    return { ok: true, requestId: String(request._id), app: target.channel, name: target.displayName };
  }

  /**
   * The yes or no to a link or unlink request, acted on at most once: the decision is a
   * claim, and a second press gets what the first one did.
   */
  async function decide(actor: Actor, requestId: string, accept: boolean): Promise<DecideResult> {
    const request = isObjectId(requestId) ? await models.LinkRequest.findById(requestId).lean<LinkRequest>() : undefined;
    if (!request?.customerId.equals(actor.customerId)) return { ok: false, reason: 'invalid_request' };
    const app = channelOf(request.identity);
    const name = await displayName(request.identity);
    const key = `connect_decision:${requestId}`;
    const alreadyDecided = async (): Promise<DecideResult> => {
      const [claim, current] = await Promise.all([claims.holder(key), models.LinkRequest.findById(requestId).lean()]);
      const yes = claim?.by === 'yes';
      const guess: LinkOutcome = request.kind === 'link' ? (yes ? 'linked' : 'declined') : yes ? 'unlinked' : 'kept';
      return { ok: false, reason: 'already_decided', outcome: current?.outcome ?? guess, app, name };
    };
    const taken = await claims.holder(key);
    if (taken) {
      const current = await models.LinkRequest.findById(requestId, { outcome: 1 }).lean();
      if (current?.outcome || ctx.now().getTime() - taken.at.getTime() < RESUME_DECISION_AFTER_MS) return alreadyDecided();
      // Decided but not carried out to the end: finish it now, as it was decided then.
      return carryOut(actor, request, taken.by === 'yes', name);
    }
    if (request.expiresAt <= ctx.now()) return { ok: false, reason: 'expired' };
    if (!(await claims.take(key, accept ? 'yes' : 'no'))) return alreadyDecided();
    return carryOut(actor, request, accept, name);
  }

  /** The steps of a decision; each can run again after a cut-off and repeats nothing (notices are keyed). */
  async function carryOut(actor: Actor, request: LinkRequest, accept: boolean, name: string): Promise<DecideResult> {
    if (request.kind === 'link') return accept ? link(actor, request, name) : decline(actor, request, name);
    if (!accept) return finish(request, 'kept', name);
    return unlink(actor, request, name);
  }

  async function finish(request: LinkRequest, outcome: Exclude<LinkOutcome, 'refused'>, name: string): Promise<DecideResult> {
    await models.LinkRequest.updateOne({ _id: request._id }, { $set: { outcome } });
    const account = await customers.getById(request.customerId);
    return { ok: true, outcome, app: channelOf(request.identity), name, points: account?.points ?? 0 };
  }

  async function refused(request: LinkRequest, why: Extract<DecideResult, { reason: 'refused' }>['why'], name: string): Promise<DecideResult> {
    await models.LinkRequest.updateOne({ _id: request._id }, { $set: { outcome: 'refused' } });
    return { ok: false, reason: 'refused', why, app: channelOf(request.identity), name };
  }

  async function link(actor: Actor, request: LinkRequest, name: string): Promise<DecideResult> {
    const app = channelOf(request.identity);
    const details = { app, accountApp: channelOf(actor.identity) };
    const source = await models.ChannelIdentity.findOne({ identity: request.identity }).lean();
    // A decision resumed after a cut-off may find the chat already moved: the rest still has to happen.
    if (!source?.customerId.equals(actor.customerId)) {
      const newcomer = await customers.getById(request.fromCustomerId);
      if (!source?.customerId.equals(request.fromCustomerId) || !newcomer) return refused(request, 'moved', name);
      if (await hasHistory(newcomer)) return refused(request, 'has_history', name);
      const appTaken = () => models.ChannelIdentity.countDocuments({ customerId: actor.customerId, channel: app });
      if ((await appTaken()) > 0) return refused(request, 'app_taken', name);

      await records.moveIdentity(request.identity, newcomer._id, actor.customerId);
      // Two requests for one app confirmed at the same moment: neither keeps the chat.
      if ((await appTaken()) > 1) {
        await records.moveIdentity(request.identity, actor.customerId, newcomer._id);
        return refused(request, 'app_taken', name);
      }
    }
    if (!(await models.ChannelIdentity.exists({ customerId: request.fromCustomerId }))) await customers.discard(request.fromCustomerId);
    await audit.action(actor, 'connect_link', 'linked', actor.customerId, details);
    const account = await customers.getById(actor.customerId);
    await outbox.record(
      `app_linked:${String(request._id)}`,
      'app_linked',
      actor.customerId,
      { accountApp: details.accountApp, accountName: account?.name || account?.code },
      { toIdentity: request.identity },
    );
    return finish(request, 'linked', name);
  }

  async function decline(actor: Actor, request: LinkRequest, name: string): Promise<DecideResult> {
    await audit.action(actor, 'connect_link', 'declined', request.fromCustomerId, {
      app: channelOf(request.identity),
      accountApp: channelOf(actor.identity),
    });
    await outbox.record(
      `app_link_declined:${String(request._id)}`,
      'app_link_declined',
      request.fromCustomerId,
      { accountApp: channelOf(actor.identity) },
      { toIdentity: request.identity },
    );
    return finish(request, 'declined', name);
  }

  /** Moves the chat to a fresh account of its own: a new personal code and no history. */
  async function unlink(actor: Actor, request: LinkRequest, name: string): Promise<DecideResult> {
    const target = await models.ChannelIdentity.findOne({ identity: request.identity }).lean();
    if (!target?.customerId.equals(actor.customerId)) return refused(request, 'not_linked', name);
    if (target.identity === actor.identity) return refused(request, 'current_identity', name);
    const owner = await customers.getById(actor.customerId);
    if (!owner) return refused(request, 'not_linked', name);
    await records.moveIdentity(target.identity, actor.customerId, new Types.ObjectId());
    // join() creates the record of whichever fresh account the chat points to now.
    const { customer: own } = await customers.join({
      identity: target.identity,
      chatId: target.chatId,
      displayName: target.displayName,
      locale: owner.locale,
    });
    const details = { app: target.channel, accountApp: channelOf(actor.identity) };
    await audit.action(actor, 'connect_unlink', 'unlinked', own._id, details);
    await outbox.record(
      `app_unlinked:${String(request._id)}`,
      'app_unlinked',
      own._id,
      { accountApp: details.accountApp },
      { toIdentity: target.identity },
    );
    return finish(request, 'unlinked', name);
  }

  /** Deletes link and unlink requests past their expiry: they can no longer be decided. */
  async function pruneExpired(at: Date): Promise<number> {
    return (await models.LinkRequest.deleteMany({ expiresAt: { $lt: at } })).deletedCount;
  }

  /** Erasure: every request that names the person's account or one of their chats. */
  async function forget(customerId: Types.ObjectId, identities: string[]): Promise<void> {
    await models.LinkRequest.deleteMany({ customerId });
    await models.LinkRequest.deleteMany({ fromCustomerId: customerId });
    for (const identity of identities) await models.LinkRequest.deleteMany({ identity });
  }

  return { overview, requestLink, requestUnlink, decide, pruneExpired, forget };
}

export type IdentityLinkService = ReturnType<typeof createIdentityLinkService>;
