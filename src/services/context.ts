import type { Models } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import { createLiveProgram } from '../program/live.js';
import type { Program } from '../program/schema.js';
import { createAccess } from './access.js';
import { createAuditLog } from './audit.js';
import { createClaims } from './claims.js';
import { createCustomerRecords } from './customer-records.js';
import { createDayKeys } from './day-keys.js';
import { createFlags } from './flags.js';
import { createOutbox } from './outbox.js';
import { createStaleDays } from './rollups.js';
import { createTickets } from './tickets.js';

export type { Actor, Authorization, Grant } from './access.js';
export { isDuplicateKey } from './duplicate-key.js';

/** What the services are built from; built once by createServices. */
export interface ServiceDeps {
  models: Models;
  program: Program;
  logger: Logger;
  timezone: string;
  /** Base of the public links services hand out (QR images). */
  publicUrl: string;
  /** The database server's host(s) (from MONGODB_URI), or undefined for the embedded database: the processing record names it. */
  databaseHost?: string;
  now?: () => Date;
  /** Lets the notifier deliver at once instead of waiting for its sweep. */
  onNotificationsRecorded?: (ids: string[]) => void;
}

/**
 * The small shared pieces use cases are built from, each the one writer of its collection:
 * the outbox (Notification inserts), the audit log, claims, tickets (Setting), fraud flags,
 * access (role checks), the customer records (Customer, ChannelIdentity) and the marks of
 * report days a correction changed (StaleDay, see rollups.ts), and since when days can be
 * counted by their day keys (day-keys.ts). Each service takes the
 * pieces and models it needs, nothing else.
 */
export function createServicePieces(deps: ServiceDeps) {
  const { models, program, logger, timezone } = deps;
  const now = deps.now ?? (() => new Date());
  const audit = createAuditLog(models, now);
  const staleDays = createStaleDays(models, timezone, now);
  const tickets = createTickets(models, now);
  return {
    program,
    /** Keeps `program` current in place (see program/live.ts); only the program rules service puts a version in force. */
    live: createLiveProgram(program, (error) => logger.error({ err: error }, 'applying new program rules failed')),
    logger,
    timezone,
    now,
    audit,
    access: createAccess(models, audit),
    outbox: createOutbox(models, now, timezone, deps.onNotificationsRecorded),
    claims: createClaims(models, now),
    tickets,
    flags: createFlags(models, now),
    records: createCustomerRecords(models, now, timezone, staleDays),
    staleDays,
    dayKeys: createDayKeys({ tickets, timezone, now }),
  };
}

export type ServicePieces = ReturnType<typeof createServicePieces>;
