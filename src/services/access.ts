import type { Types } from 'mongoose';
import type { Role } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { AuditLog } from './audit.js';

/** The person acting on a staff or owner command. */
export interface Actor {
  customerId: Types.ObjectId;
  identity: string;
}

/**
 * An actor whose role a service loaded for this update. Only this module makes one (for
 * `authorize`, and for the customer service's join, which loads the person anyway), so a Grant
 * handed on to a service spares a second query without letting a caller claim a role.
 */
export interface Grant extends Actor {
  readonly role: Role;
}

export type Authorization = { ok: true; actor: Grant } | { ok: false; reason: 'not_allowed' };

/** Who may do what: the role check every staff and owner use case starts with. */
export function createAccess(models: Pick<Models, 'Customer'>, audit: Pick<AuditLog, 'refusal'>) {
  const grants = new WeakSet<Grant>();

  /**
   * The actor's role, loaded once per use case (a Grant from an earlier check in the same use
   * case is trusted), and a refusal audited as a refused attempt.
   */
  async function authorize(actor: Actor, action: string, allowed: ReadonlyArray<'staff' | 'owner'>): Promise<Authorization> {
    const known = grants.has(actor as Grant) ? (actor as Grant).role : undefined;
    const role = known ?? (await models.Customer.findById(actor.customerId, { role: 1 }).lean())?.role;
    if (!role || !(allowed as readonly string[]).includes(role)) {
      await audit.refusal(actor, action);
      return { ok: false, reason: 'not_allowed' };
    }
    return { ok: true, actor: known ? (actor as Grant) : grant(actor, role) };
  }

  /** The Grant for a person whose record the caller has just loaded from the database. */
  function grant(actor: Actor, role: Role): Grant {
    const made: Grant = Object.freeze({ customerId: actor.customerId, identity: actor.identity, role });
    grants.add(made);
    return made;
  }

  return { authorize, grant };
}

export type Access = ReturnType<typeof createAccess>;
