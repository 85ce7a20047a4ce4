import { createHash, randomBytes } from 'node:crypto';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';

/** How long a dashboard link from `/dashboard` can be opened (once). */
export const DASHBOARD_LINK_MINUTES = 15;
/** How long the browser session the link opens lasts. */
export const DASHBOARD_SESSION_DAYS = 7;

export type DashboardLinkResult =
  { ok: true; token: string; role: DashboardRole; minutes: number; days: number } | { ok: false; reason: 'not_allowed' };

export type DashboardSignIn = { ok: true; sessionId: string; role: DashboardRole; days: number } | { ok: false; reason: 'invalid_link' };

/** The roles a back-office session is opened for: the owner's whole back office, or the staff view (customers only). */
export type DashboardRole = 'owner' | 'staff';

/**
 * `person` is who signed in and `role` the role their session was opened for: the session
 * holds while the person still has exactly that role (checked on every request). `csrf` is
 * the value the session's forms must send back.
 */
export type DashboardAccess =
  { ok: true; person: Customer; role: DashboardRole; actor: Actor; csrf: string } | { ok: false; reason: 'invalid_session' };

export type EndSessionsResult = { ok: true; ended: number } | { ok: false; reason: 'not_allowed' };

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
/** A link's or session's ticket holds `<role>:<person id>`; one from before staff sessions holds only the owner's id. */
const holderOf = (personId: unknown, role: DashboardRole) => `${role}:${String(personId)}`;
function parseHolder(value: string | undefined): { personId: string; role: DashboardRole } | undefined {
  if (!value) return undefined;
  const [role, personId] = value.includes(':') ? value.split(':', 2) : ['owner', value];
  return (role === 'owner' || role === 'staff') && personId ? { personId, role } : undefined;
}

/**
 * The owner's web dashboard: an owner asks the bot for a link, which opens it once and for
 * a few minutes; opening it starts a browser session (the link's only use), and the page
 * shows the same numbers as `/stats`, the tiers, the staff and the fraud review queue.
 * Access is checked again on every request, so an owner who loses the role loses the page.
 */
export type DashboardServiceDeps = Pick<ServicePieces, 'access' | 'audit' | 'claims' | 'tickets'> & {
  models: Pick<Models, 'Customer'>;
};

export function createDashboardService(ctx: DashboardServiceDeps) {
  const { models, access, audit, claims, tickets } = ctx;

  /** A one-time link for the asker's role: an owner's opens the whole back office, a staff member's the staff view. */
  async function createLink(actor: Actor): Promise<DashboardLinkResult> {
    const allowed = await access.authorize(actor, 'dashboard_link', ['owner', 'staff']);
    if (!allowed.ok) return allowed;
    const role = allowed.actor.role === 'owner' ? 'owner' : 'staff';
    const token = randomBytes(24).toString('base64url');
    await tickets.issue(linkKey(token), holderOf(actor.customerId, role), DASHBOARD_LINK_MINUTES * 60_000);
    await audit.action(actor, 'dashboard_link', 'issued', actor.customerId);
    return { ok: true, token, role, minutes: DASHBOARD_LINK_MINUTES, days: DASHBOARD_SESSION_DAYS };
  }

  /** The person a ticket names, while they still have the role it was issued for (a demoted owner's session is over). */
  async function currentHolder(value: string | undefined): Promise<{ person: Customer; role: DashboardRole } | undefined> {
    const holder = parseHolder(value);
    const person = holder ? await models.Customer.findById(holder.personId).lean<Customer>() : null;
    return person && holder && person.role === holder.role ? { person, role: holder.role } : undefined;
  }

  /** Trades a link for a new session, once: the claim makes a second use (or a race) fail. */
  async function signIn(token: unknown): Promise<DashboardSignIn> {
    if (typeof token !== 'string' || !secretShape.test(token)) return { ok: false, reason: 'invalid_link' };
    const holder = await currentHolder(await tickets.read(linkKey(token)));
    if (!holder || !(await claims.take(linkKey(token), 'dashboard'))) return { ok: false, reason: 'invalid_link' };
    const sessionId = randomBytes(32).toString('base64url');
    await tickets.issue(sessionKey(sessionId), holderOf(holder.person._id, holder.role), DASHBOARD_SESSION_DAYS * 24 * 3600_000);
    // Sessions ended (endSessions) while this one was being made take it with them.
    if (!(await tickets.read(linkKey(token)))) {
      await tickets.revoke(sessionKey(sessionId));
      return { ok: false, reason: 'invalid_link' };
    }
    return { ok: true, sessionId, role: holder.role, days: DASHBOARD_SESSION_DAYS };
  }

  async function open(sessionId: unknown): Promise<DashboardAccess> {
    if (typeof sessionId !== 'string' || !secretShape.test(sessionId)) return { ok: false, reason: 'invalid_session' };
    const holder = await currentHolder(await tickets.read(sessionKey(sessionId)));
    if (!holder) return { ok: false, reason: 'invalid_session' };
    const { person, role } = holder;
    return { ok: true, person, role, actor: { customerId: person._id, identity: 'web:dashboard' }, csrf: csrfFor(sessionId) };
  }

  /**
   * Ends every dashboard session and unused link of the shop, the staff's too (a lost phone, a
   * forwarded link). Safe to repeat: a second time there is nothing left to end.
   */
  async function endSessions(actor: Actor): Promise<EndSessionsResult> {
    const allowed = await access.authorize(actor, 'dashboard_logout', ['owner']);
    if (!allowed.ok) return allowed;
    const sessions = await tickets.countLive(/^dashboard_session:/);
    await tickets.revokeMatching(anyAccessKey);
    await audit.action(actor, 'dashboard_logout', 'ended', undefined, { sessions });
    return { ok: true, ended: sessions };
  }

  return { createLink, signIn, open, endSessions };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
