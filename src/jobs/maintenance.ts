import type { Agenda } from 'agenda';
import type { Services } from '../services/index.js';

export const PRUNE_PROCESSED_UPDATES = 'prune-processed-updates';

/**
 * Daily clean-up of what only matters for a while (FerretDB has no TTL indexes), each by the
 * service that owns it: processed updates, expired tickets and app-linking requests, action
 * cards, rate slots; and what the program's retention periods say is due. Returns how many
 * records went, per kind.
 */
export async function pruneAll(services: Services, now: Date) {
  return {
    updates: await services.updates.prune(now),
    tickets: await services.tickets.pruneExpired(now),
    linkRequests: await services.identityLink.pruneExpired(now),
    actionCards: await services.actions.pruneExpired(now),
    rateSlots: await services.limits.prune(now),
    ...(await applyRetention(services, now)),
    auditPhonesMasked: await services.retention.maskAuditPhones(),
  };
}

/**
 * The inactive-customers policy (program rules `privacy.retention.inactiveCustomers`): notices,
 * then erasures when due; also finishes an erasure a crash interrupted.
 */
export async function sweepInactiveCustomers(services: Services) {
  return services.erasure.sweepInactive();
}

/** The program's retention periods (privacy.retention): link opens, finished notifications, audit rows. */
export function applyRetention(services: Services, now: Date) {
  return services.retention.apply(now);
}

export async function defineMaintenanceJobs(agenda: Agenda, services: Services): Promise<void> {
  agenda.define(PRUNE_PROCESSED_UPDATES, async () => {
    await pruneAll(services, new Date());
    await sweepInactiveCustomers(services);
  });
  await agenda.every('1 day', PRUNE_PROCESSED_UPDATES, undefined, { skipImmediate: true });
}
