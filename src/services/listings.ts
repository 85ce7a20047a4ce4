import { Types } from 'mongoose';
import { normalizeCode } from '../domain/codes.js';
import { dayBounds } from '../domain/schedule.js';
import { voucherStatuses, type Voucher, type VoucherStatus } from '../db/models/voucher.js';
import type { Models } from '../db/models/index.js';
import { findEach } from '../db/each-value.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import { afterCursor, pageOf, sortOf, type KeysetOrder } from './keyset.js';

export const LIST_PAGE_SIZE = 30;

/** The statuses the vouchers page filters by (the model's). */
export { voucherStatuses };
/** What a voucher was issued for, as the vouchers page filters by it. */
export const voucherCauses = ['referral_referrer', 'referral_friend', 'milestone', 'catalogue', 'birthday', 'review'] as const;

/** A period of the lists: from the start of business day `from` to the end of `to` (yyyy-mm-dd, both optional). */
export interface DayRange {
  from?: string;
  to?: string;
}

type Person = { name: string; code: string };

export interface VoucherSearch extends DayRange {
  status?: VoucherStatus;
  cause?: (typeof voucherCauses)[number];
  /** The code of the customer holding the voucher. */
  customer?: string;
  after?: string;
}

export interface VoucherRow {
  code: string;
  status: VoucherStatus;
  cause: string;
  label: { vi: string; en: string };
  issuedAt: Date;
  expiresAt: Date;
  redeemedAt?: Date;
  cancelledAt?: Date;
  customer?: Person;
}

export interface AuditSearch extends DayRange {
  action?: string;
  /** The code of the person who acted. */
  who?: string;
  /** Refused attempts instead of actions. */
  refused?: boolean;
  after?: string;
}

export interface AuditRow {
  at: Date;
  action: string;
  outcome: string;
  actor?: Person;
  target?: Person;
  /** On refused rows: attempts in that hour, per action. */
  count?: number;
  actions?: Array<{ action: string; count: number }>;
  reason?: string;
}

export type ListResult<R> =
  { ok: true; rows: R[]; next?: string } | { ok: false; reason: 'not_allowed' | 'not_found' | 'invalid_cursor' | 'invalid_period' };

/** An audit row as stored (see db/models/audit-log.ts). */
type AuditEntry = Record<string, unknown> & {
  _id: Types.ObjectId;
  kind?: 'action' | 'refused';
  at: Date;
  action: string;
  outcome: string;
  actorId: Types.ObjectId;
  targetId?: Types.ObjectId;
  details?: Record<string, unknown>;
  count?: number;
  actions?: Record<string, number>;
};

const voucherOrder: KeysetOrder = { field: 'issuedAt', direction: -1, type: 'date' };
const auditOrder: KeysetOrder = { field: 'at', direction: -1, type: 'date' };

export type ListingDeps = Pick<ServicePieces, 'access' | 'timezone'> & { models: Pick<Models, 'Customer' | 'Voucher' | 'AuditLog'> };

/**
 * The owner's vouchers and audit log pages: filtered, newest first, a page at a time (keyset
 * pagination, see keyset.ts). Reads only; the owner's role is checked on each.
 */
export function createListingService(ctx: ListingDeps) {
  const { models, access } = ctx;

  async function personByCode(raw: string | undefined): Promise<Types.ObjectId | null | undefined> {
    if (!raw) return undefined;
    const code = normalizeCode(raw);
    return code ? ((await models.Customer.findOne({ code }, { _id: 1 }).lean())?._id ?? null) : null;
  }

  async function people(ids: unknown[]): Promise<(id: unknown) => Person | undefined> {
    const found = await findEach(
      ids.filter((id): id is Types.ObjectId => id instanceof Types.ObjectId),
      (_id) => models.Customer.find({ _id }, { name: 1, code: 1 }).lean(),
    );
    return (id) => {
      const person = found.find((p) => id instanceof Types.ObjectId && p._id.equals(id));
      return person ? { name: person.name ?? '', code: person.code } : undefined;
    };
  }

  /** The filter on `field` for the period, or undefined when a day is not a date (or the period ends before it starts). */
  function range(field: string, search: DayRange): Record<string, unknown> | undefined {
    const from = search.from ? dayBounds(search.from, ctx.timezone) : undefined;
    const to = search.to ? dayBounds(search.to, ctx.timezone) : undefined;
    if ((search.from && !from) || (search.to && !to) || (from && to && to.end <= from.start)) return undefined;
    const bounds = { ...(from ? { $gte: from.start } : {}), ...(to ? { $lt: to.end } : {}) };
    return Object.keys(bounds).length > 0 ? { [field]: bounds } : {};
  }

  async function vouchers(actor: Actor, search: VoucherSearch): Promise<ListResult<VoucherRow>> {
    const allowed = await access.authorize(actor, 'vouchers_view', ['owner']);
    if (!allowed.ok) return allowed;
    const customerId = await personByCode(search.customer);
    if (customerId === null) return { ok: false, reason: 'not_found' };
    const after = search.after ? afterCursor(search.after, voucherOrder) : {};
    if (!after) return { ok: false, reason: 'invalid_cursor' };
    const period = range('issuedAt', search);
    if (!period) return { ok: false, reason: 'invalid_period' };
    const filter: Record<string, unknown> = {
      ...(search.status ? { status: search.status } : {}),
      ...(search.cause ? { cause: search.cause } : {}),
      ...(customerId ? { customerId } : {}),
      ...period,
      ...after,
    };
    const found = await models.Voucher.find(filter)
      .sort(sortOf(voucherOrder))
      .limit(LIST_PAGE_SIZE + 1)
      .lean<Array<Voucher & Record<string, unknown>>>();
    const page = pageOf(found, LIST_PAGE_SIZE, voucherOrder);
    const person = await people(page.rows.map((v) => v.customerId));
    const rows: VoucherRow[] = page.rows.map((v) => ({
      code: v.code,
      status: v.status,
      cause: v.cause,
      label: v.reward.label,
      issuedAt: v.issuedAt,
      expiresAt: v.expiresAt,
      ...(v.redeemedAt ? { redeemedAt: v.redeemedAt } : {}),
      ...(v.cancelledAt ? { cancelledAt: v.cancelledAt } : {}),
      customer: person(v.customerId),
    }));
    return { ok: true, rows, ...(page.next ? { next: page.next } : {}) };
  }

  async function audit(actor: Actor, search: AuditSearch): Promise<ListResult<AuditRow>> {
    const allowed = await access.authorize(actor, 'audit_view', ['owner']);
    if (!allowed.ok) return allowed;
    const actorId = await personByCode(search.who);
    if (actorId === null) return { ok: false, reason: 'not_found' };
    const after = search.after ? afterCursor(search.after, auditOrder) : {};
    if (!after) return { ok: false, reason: 'invalid_cursor' };
    const period = range('at', search);
    if (!period) return { ok: false, reason: 'invalid_period' };
    // Rows written before `kind` existed are actions: `$ne` finds them too.
    const filter: Record<string, unknown> = {
      ...(search.refused ? { kind: 'refused' } : { kind: { $ne: 'refused' } }),
      ...(search.action ? { action: search.action } : {}),
      ...(actorId ? { actorId } : {}),
      ...period,
      ...after,
    };
    const found = await models.AuditLog.find(filter)
      .sort(sortOf(auditOrder))
      .limit(LIST_PAGE_SIZE + 1)
      .lean<AuditEntry[]>();
    const page = pageOf(found, LIST_PAGE_SIZE, auditOrder);
    const person = await people(page.rows.flatMap((row) => [row.actorId, row.targetId]));
    const rows: AuditRow[] = page.rows.map((row) => {
      const details = row.details ?? {};
      return {
        at: row.at,
        action: row.action,
        outcome: row.outcome,
        actor: person(row.actorId),
        target: person(row.targetId),
        ...(typeof details.reason === 'string' && details.reason ? { reason: details.reason } : {}),
        ...(row.kind === 'refused'
          ? {
              count: row.count ?? 1,
              actions: Object.entries(row.actions ?? {}).map(([action, count]) => ({ action, count })),
            }
          : {}),
      };
    });
    return { ok: true, rows, ...(page.next ? { next: page.next } : {}) };
  }

  return { vouchers, audit };
}

export type ListingService = ReturnType<typeof createListingService>;
