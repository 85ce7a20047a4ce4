import { createHash, randomBytes } from 'node:crypto';
import type { Customer } from '../db/models/customer.js';
import type { Actor, ServiceContext } from './context.js';
import type { FraudService, ReviewedFlag } from './fraud.js';
import type { ReportsService, PeriodStats } from './reports.js';
import type { RoleService } from './roles.js';

/** How long a dashboard link from `/dashboard` opens the page. */
export const DASHBOARD_LINK_MINUTES = 60;

export type DashboardLinkResult = { ok: true; token: string; minutes: number } | { ok: false; reason: 'not_allowed' };

export type DashboardAccess = { ok: true; owner: Customer; actor: Actor } | { ok: false; reason: 'invalid_link' };

export interface DashboardView {
  stats: PeriodStats;
  customers: number;
  tiers: Array<{ name: string; minPoints: number; customers: number }>;
  staff: Customer[];
  flags: ReviewedFlag[];
  /** The latest staff and owner actions from the audit log, newest first. */
  activity: Array<{ at: Date; action: string; outcome: string; actor?: Pick<Customer, 'name' | 'code'>; target?: Pick<Customer, 'name' | 'code'> }>;
}

const ACTIVITY_SHOWN = 30;
const FLAGS_SHOWN = 50;

/** The token is a bearer secret in a URL: only its hash is stored, so a database read does not leak a working link. */
const tokenKey = (token: string) => `dashboard:${createHash('sha256').update(token).digest('hex')}`;

/**
 * The owner's web dashboard: an owner asks the bot for a link that opens it for a while, and
 * the page shows the same numbers as `/stats`, the tiers, the staff and the fraud review queue.
 * Access is checked again on every request, so an owner who loses the role loses the page.
 */
export function createDashboardService(ctx: ServiceContext, roles: RoleService, reports: ReportsService, fraud: FraudService) {
  const { models, program } = ctx;

  async function createLink(actor: Actor): Promise<DashboardLinkResult> {
    if (!(await roles.isOwner(actor.customerId))) {
      await ctx.audit(actor, 'dashboard_link', 'not_allowed');
      return { ok: false, reason: 'not_allowed' };
    }
    const token = randomBytes(24).toString('base64url');
    await ctx.issueTicket(tokenKey(token), String(actor.customerId), DASHBOARD_LINK_MINUTES * 60_000);
    await ctx.audit(actor, 'dashboard_link', 'issued', actor.customerId);
    return { ok: true, token, minutes: DASHBOARD_LINK_MINUTES };
  }

  async function open(token: unknown): Promise<DashboardAccess> {
    if (typeof token !== 'string' || !/^[\w-]{32}$/.test(token)) return { ok: false, reason: 'invalid_link' };
    const ownerId = await ctx.readTicket(tokenKey(token));
    const owner = ownerId ? await models.Customer.findById(ownerId).lean<Customer>() : null;
    if (!owner || owner.role !== 'owner') return { ok: false, reason: 'invalid_link' };
    return { ok: true, owner, actor: { customerId: owner._id, identity: 'web:dashboard' } };
  }

  /** Everything on the page, for the owner who opened it (see `open`). */
  async function getView(actor: Actor, period: 'today' | '7d' | '30d'): Promise<DashboardView> {
    const [stats, customers, tierCounts, staff, openFlags, audit] = await Promise.all([
      reports.getPeriodStats(period),
      models.Customer.estimatedDocumentCount(),
      Promise.all(program.tiers.map((tier) => models.Customer.countDocuments({ tier: tier.name }))),
      roles.listStaff(),
      fraud.listOpen(actor, FLAGS_SHOWN),
      models.AuditLog.find({}).sort({ at: -1 }).limit(ACTIVITY_SHOWN).lean(),
    ]);
    const flags = openFlags.ok ? openFlags.flags : [];
    const ids = [...audit.flatMap((entry) => [entry.actorId, ...(entry.targetId ? [entry.targetId] : [])])];
    const people = await models.Customer.find({ _id: { $in: ids } }, { name: 1, code: 1 }).lean();
    const person = (id: unknown) => people.find((p) => p._id.equals(id as Customer['_id']));
    return {
      stats,
      customers,
      tiers: program.tiers.map((tier, i) => ({ name: tier.name, minPoints: tier.minPoints, customers: tierCounts[i] ?? 0 })),
      staff,
      flags,
      activity: audit.map((entry) => ({
        at: entry.at,
        action: entry.action,
        outcome: entry.outcome,
        actor: person(entry.actorId),
        target: entry.targetId ? person(entry.targetId) : undefined,
      })),
    };
  }

  return { createLink, open, getView };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
