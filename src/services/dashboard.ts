import { createHash, randomBytes } from 'node:crypto';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { FraudService, ReviewedFlag } from './fraud.js';
import type { ReportsService, PeriodStats, StatsPeriod } from './reports.js';
import type { RoleService } from './roles.js';
import { findEach } from '../db/each-value.js';
import type { Tier } from '../program/schema.js';

/** How long a dashboard link from `/dashboard` can be opened (once). */
export const DASHBOARD_LINK_MINUTES = 15;
/** How long the browser session the link opens lasts. */
export const DASHBOARD_SESSION_DAYS = 7;

export type DashboardLinkResult = { ok: true; token: string; minutes: number; days: number } | { ok: false; reason: 'not_allowed' };

export type DashboardSignIn = { ok: true; sessionId: string; days: number } | { ok: false; reason: 'invalid_link' };

/** `csrf` is the value the session's forms must send back. */
/** `person` is who signed in and `role` the role their session is for (checked again on every request). */
export type DashboardAccess = { ok: true; person: Customer; role: 'owner'; actor: Actor; csrf: string } | { ok: false; reason: 'invalid_session' };

export type EndSessionsResult = { ok: true; ended: number } | { ok: false; reason: 'not_allowed' };

type Person = Pick<Customer, 'name' | 'code'>;

export interface DashboardView {
  stats: PeriodStats;
  customers: number;
  tiers: Array<{ tier: Tier; customers: number }>;
  staff: Customer[];
  flags: ReviewedFlag[];
  /** The latest staff and owner actions from the audit log, newest first. */
  activity: Array<{ at: Date; action: string; outcome: string; actor?: Person; target?: Person }>;
  /** Attempts refused to people without the role, one row per person and hour, latest first. */
  refused: Array<{ hour: Date; at: Date; count: number; actions: Array<{ action: string; count: number }>; actor?: Person }>;
}

export type DashboardViewResult = { ok: true; view: DashboardView } | { ok: false; reason: 'not_allowed' };

const ACTIVITY_SHOWN = 30;
const REFUSED_SHOWN = 20;
const FLAGS_SHOWN = 50;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/**
 * Link tokens and session ids are bearer secrets: only their hashes are stored, so a
 * database read does not give a working link or session.
 */
const linkKey = (token: string) => `dashboard_link:${sha256(token)}`;
const sessionKey = (sessionId: string) => `dashboard_session:${sha256(sessionId)}`;
/** Both kinds, for ending every way into the dashboard at once. */
const anyAccessKey = /^dashboard_(link|session):/;
/** Derived from the session id (which only the browser holds, HttpOnly), so it is per session and never stored. */
const csrfFor = (sessionId: string) => createHash('sha256').update(`csrf:${sessionId}`).digest('base64url');
const secretShape = /^[\w-]{32,64}$/;

/**
 * The owner's web dashboard: an owner asks the bot for a link, which opens it once and for
 * a few minutes; opening it starts a browser session (the link's only use), and the page
 * shows the same numbers as `/stats`, the tiers, the staff and the fraud review queue.
 * Access is checked again on every request, so an owner who loses the role loses the page.
 */
export type DashboardServiceDeps = Pick<ServicePieces, 'program' | 'access' | 'audit' | 'claims' | 'tickets'> & {
  models: Pick<Models, 'Customer' | 'AuditLog'>;
};

export function createDashboardService(ctx: DashboardServiceDeps, roles: RoleService, reports: ReportsService, fraud: FraudService) {
  const { models, program, access, audit, claims, tickets } = ctx;

  async function createLink(actor: Actor): Promise<DashboardLinkResult> {
    const allowed = await access.authorize(actor, 'dashboard_link', ['owner']);
    if (!allowed.ok) return allowed;
    const token = randomBytes(24).toString('base64url');
    await tickets.issue(linkKey(token), String(actor.customerId), DASHBOARD_LINK_MINUTES * 60_000);
    await audit.action(actor, 'dashboard_link', 'issued', actor.customerId);
    return { ok: true, token, minutes: DASHBOARD_LINK_MINUTES, days: DASHBOARD_SESSION_DAYS };
  }

  async function currentOwner(ownerId: string | undefined): Promise<Customer | undefined> {
    const owner = ownerId ? await models.Customer.findById(ownerId).lean<Customer>() : null;
    return owner?.role === 'owner' ? owner : undefined;
  }

  /** Trades a link for a new session, once: the claim makes a second use (or a race) fail. */
  async function signIn(token: unknown): Promise<DashboardSignIn> {
    if (typeof token !== 'string' || !secretShape.test(token)) return { ok: false, reason: 'invalid_link' };
    const ownerId = await tickets.read(linkKey(token));
    const owner = await currentOwner(ownerId);
    if (!owner || !(await claims.take(linkKey(token), 'dashboard'))) return { ok: false, reason: 'invalid_link' };
    const sessionId = randomBytes(32).toString('base64url');
    await tickets.issue(sessionKey(sessionId), String(owner._id), DASHBOARD_SESSION_DAYS * 24 * 3600_000);
    // Sessions ended (endSessions) while this one was being made take it with them.
    if (!(await tickets.read(linkKey(token)))) {
      await tickets.revoke(sessionKey(sessionId));
      return { ok: false, reason: 'invalid_link' };
    }
    return { ok: true, sessionId, days: DASHBOARD_SESSION_DAYS };
  }

  async function open(sessionId: unknown): Promise<DashboardAccess> {
    if (typeof sessionId !== 'string' || !secretShape.test(sessionId)) return { ok: false, reason: 'invalid_session' };
    const owner = await currentOwner(await tickets.read(sessionKey(sessionId)));
    if (!owner) return { ok: false, reason: 'invalid_session' };
    return { ok: true, person: owner, role: 'owner', actor: { customerId: owner._id, identity: 'web:dashboard' }, csrf: csrfFor(sessionId) };
  }

  /**
   * Ends every dashboard session and unused link of the shop (a lost phone, a forwarded
   * link). Safe to repeat: a second time there is nothing left to end.
   */
  async function endSessions(actor: Actor): Promise<EndSessionsResult> {
    const allowed = await access.authorize(actor, 'dashboard_logout', ['owner']);
    if (!allowed.ok) return allowed;
    const sessions = await tickets.countLive(/^dashboard_session:/);
    await tickets.revokeMatching(anyAccessKey);
    await audit.action(actor, 'dashboard_logout', 'ended', undefined, { sessions });
    return { ok: true, ended: sessions };
  }

  /** Everything on the page, for the owner who opened it (see `open`). */
  async function getView(actor: Actor, period: StatsPeriod): Promise<DashboardViewResult> {
    const allowed = await access.authorize(actor, 'dashboard_view', ['owner']);
    if (!allowed.ok) return allowed;
    const owner = allowed.actor;
    const [stats, customers, tierCounts, staff, openFlags, actions, refusals] = await Promise.all([
      reports.getPeriodStats(owner, period),
      models.Customer.estimatedDocumentCount(),
      Promise.all(program.tiers.map((tier) => models.Customer.countDocuments({ tier: tier.id }))),
      roles.listStaff(owner),
      fraud.listOpen(owner, FLAGS_SHOWN),
      // Rows written before `kind` existed are actions.
      models.AuditLog.find({ kind: { $ne: 'refused' } })
        .sort({ at: -1 })
        .limit(ACTIVITY_SHOWN)
        .lean(),
      models.AuditLog.find({ kind: 'refused' }).sort({ at: -1 }).limit(REFUSED_SHOWN).lean(),
    ]);
    // The owner was checked above and the grant spares these their own check: they cannot refuse.
    if (!stats.ok || !staff.ok || !openFlags.ok) return { ok: false, reason: 'not_allowed' };
    const flags = openFlags.flags;
    const ids = [
      ...actions.flatMap((entry) => [entry.actorId, ...(entry.targetId ? [entry.targetId] : [])]),
      ...refusals.map((entry) => entry.actorId),
    ];
    const people = await findEach(ids, (_id) => models.Customer.find({ _id }, { name: 1, code: 1 }).lean());
    const person = (id: unknown) => people.find((p) => p._id.equals(id as Customer['_id']));
    const view: DashboardView = {
      stats: stats.stats,
      customers,
      tiers: program.tiers.map((tier, i) => ({ tier, customers: tierCounts[i] ?? 0 })),
      staff: staff.people,
      flags,
      activity: actions.map((entry) => ({
        at: entry.at,
        action: entry.action,
        outcome: entry.outcome,
        actor: person(entry.actorId),
        target: entry.targetId ? person(entry.targetId) : undefined,
      })),
      refused: refusals.map((entry) => ({
        hour: entry.hour ?? entry.at,
        at: entry.at,
        count: entry.count ?? 1,
        actions: Object.entries((entry.actions ?? {}) as Record<string, number>).map(([action, count]) => ({ action, count })),
        actor: person(entry.actorId),
      })),
    };
    return { ok: true, view };
  }

  return { createLink, signIn, open, endSessions, getView };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
