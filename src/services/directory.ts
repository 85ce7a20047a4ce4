import { normalizeCode } from '../domain/codes.js';
import { plainText } from '../domain/names.js';
import { looksLikePhone, maskPhone, nationalPhone, normalizePhone } from '../domain/phone.js';
import { balanceOf } from '../domain/wallet.js';
import type { Customer, Role } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { ServicePieces } from './context.js';
import type { Actor } from './access.js';
import { afterCursor, pageOf, sortOf, type KeysetOrder } from './keyset.js';
import { readJourney, type JourneyEvent, type JourneyModels } from './journey.js';

export const customerSorts = ['newest', 'name', 'points', 'visits', 'lastSeen'] as const;
export type CustomerSort = (typeof customerSorts)[number];

const orders: Record<CustomerSort, KeysetOrder> = {
  newest: { field: 'createdAt', direction: -1, type: 'date' },
  name: { field: 'nameKey', direction: 1, type: 'string' },
  points: { field: 'points', direction: -1, type: 'number' },
  visits: { field: 'visitCount', direction: -1, type: 'number' },
  lastSeen: { field: 'lastSeenDay', direction: -1, type: 'string' },
};

export const CUSTOMERS_PER_PAGE = 25;

export interface CustomerSearch {
  /** A name (any case, with or without diacritics), a phone number in any Vietnamese format, or a code. */
  q?: string;
  /** A tier's name. */
  tier?: string;
  /** The code of the customer who referred them. */
  referredBy?: string;
  sort?: CustomerSort;
  /** The cursor of the previous page's end. */
  after?: string;
}

/** A customer as a list row or card shows them. `phone` is masked for staff unless they searched by that number. */
export interface CustomerSummary {
  id: string;
  code: string;
  name: string;
  phone?: string;
  role: Role;
  tier?: string;
  /** The points balance (what can be spent) and lifetime points (what tiers follow). */
  balance: number;
  points: number;
  visits: number;
  lastSeenDay?: string;
  joinedAt: Date;
  erased: boolean;
}

export type CustomerListResult =
  | { ok: true; rows: CustomerSummary[]; next?: string; matchedBy?: 'phone' | 'code' | 'name' }
  | { ok: false; reason: 'not_allowed' | 'invalid_phone' | 'referrer_not_found' | 'invalid_cursor' };

export interface CustomerCard {
  customer: CustomerSummary;
  referrer?: { name: string; code: string };
  /** Vouchers still usable. */
  vouchers: Array<{ code: string; label: { vi: string; en: string }; expiresAt: Date }>;
  /** The owner's view only: the journey (newest first) and the visit an undo would take back. */
  journey?: JourneyEvent[];
  lastVisit?: { at: Date; amount?: number; points: number };
}

export type CustomerCardResult = { ok: true; card: CustomerCard } | { ok: false; reason: 'not_allowed' | 'not_found' };

export type DirectoryDeps = Pick<ServicePieces, 'access' | 'now' | 'records'> & { models: JourneyModels & Pick<Models, 'Customer'> };

/**
 * The back office's reads of customers: the list with its search, filters and sort orders, and
 * a customer's card with their journey. Owners and staff may read; staff see phone numbers
 * masked (unless they searched by the number) and no journey. Every filter is an equality
 * (FerretDB hands only those to PostgreSQL): a name search looks up stored name keys, never a
 * pattern over every name.
 */
export function createDirectoryService(ctx: DirectoryDeps) {
  const { models, access } = ctx;

  function summary(customer: Customer, role: Role, searchedPhone?: string): CustomerSummary {
    const shownPhone = customer.phone
      ? role === 'owner' || customer.phone === searchedPhone
        ? nationalPhone(customer.phone)
        : maskPhone(customer.phone)
      : undefined;
    return {
      id: String(customer._id),
      code: customer.code,
      name: customer.name ?? '',
      ...(shownPhone ? { phone: shownPhone } : {}),
      role: customer.role ?? 'customer',
      ...(customer.tier ? { tier: customer.tier } : {}),
      balance: balanceOf(customer),
      points: customer.points ?? 0,
      visits: customer.visitCount ?? 0,
      ...(customer.lastSeenDay ? { lastSeenDay: customer.lastSeenDay } : {}),
      joinedAt: customer.importedAt ?? customer.createdAt,
      erased: customer.erasure === 'done',
    };
  }

  async function list(actor: Actor, search: CustomerSearch): Promise<CustomerListResult> {
    const allowed = await access.authorize(actor, 'customers_view', ['owner', 'staff']);
    if (!allowed.ok) return allowed;
    const { role } = allowed.actor;
    const order = orders[search.sort ?? 'newest'];
    const filter: Record<string, unknown> = {};
    if (search.tier) filter.tier = search.tier;
    if (search.referredBy) {
      const code = normalizeCode(search.referredBy);
      const referrer = code ? await models.Customer.findOne({ code }, { _id: 1 }).lean() : null;
      if (!referrer) return { ok: false, reason: 'referrer_not_found' };
      filter.referrerId = referrer._id;
    }
    if (search.after) {
      const after = afterCursor(search.after, order);
      if (!after) return { ok: false, reason: 'invalid_cursor' };
      Object.assign(filter, after);
    }
    const q = (search.q ?? '').trim().slice(0, 64);
    const fetch = (extra: Record<string, unknown>) =>
      models.Customer.find({ ...filter, ...extra })
        .sort(sortOf(order))
        .limit(CUSTOMERS_PER_PAGE + 1)
        .lean<Customer[]>();
    if (!q) return { ok: true, ...shape(await fetch({}), role, order) };
    if (looksLikePhone(q)) {
      const phone = normalizePhone(q);
      if (!phone.ok) return { ok: false, reason: 'invalid_phone' };
      return { ok: true, matchedBy: 'phone', ...shape(await fetch({ phone: phone.phone }), role, order, phone.phone) };
    }
    const code = normalizeCode(q);
    const byCode = code && !search.after ? await fetch({ code }) : [];
    if (byCode.length > 0) return { ok: true, matchedBy: 'code', ...shape(byCode, role, order) };
    const words = plainText(q).split(' ').filter(Boolean);
    if (words.length === 0) return { ok: true, matchedBy: 'name', rows: [] };
    // The longest word narrows the read in the database (an equality); the others are checked with it.
    const [first, ...rest] = [...words].sort((a, b) => b.length - a.length);
    const byName = await fetch({ nameWords: first, ...(rest.length > 0 ? { $and: rest.map((word) => ({ nameWords: word })) } : {}) });
    return { ok: true, matchedBy: 'name', ...shape(byName, role, order) };
  }

  function shape(found: Customer[], role: Role, order: KeysetOrder, searchedPhone?: string) {
    const page = pageOf(found as unknown as Array<Customer & Record<string, unknown>>, CUSTOMERS_PER_PAGE, order);
    return { rows: page.rows.map((c) => summary(c, role, searchedPhone)), ...(page.next ? { next: page.next } : {}) };
  }

  /** A customer's card by code; `searchedPhone` (the number staff searched by) shows that number unmasked. */
  async function card(actor: Actor, rawCode: string, searchedPhone?: string): Promise<CustomerCardResult> {
    const allowed = await access.authorize(actor, 'customer_view', ['owner', 'staff']);
    if (!allowed.ok) return allowed;
    const { role } = allowed.actor;
    const code = normalizeCode(rawCode, { min: 6, max: 16 });
    const customer = code ? await models.Customer.findOne({ code }).lean<Customer>() : null;
    if (!customer) return { ok: false, reason: 'not_found' };
    const phone = searchedPhone ? normalizePhone(searchedPhone) : undefined;
    const [referral, vouchers] = await Promise.all([
      models.Referral.findOne({ friendId: customer._id }, { referrerId: 1 }).lean(),
      models.Voucher.find({ customerId: customer._id, status: 'active' }).sort({ issuedAt: -1 }).limit(50).lean(),
    ]);
    const referrer = referral ? await models.Customer.findById(referral.referrerId, { name: 1, code: 1 }).lean() : null;
    const now = ctx.now();
    const card: CustomerCard = {
      customer: summary(customer, role, phone?.ok ? phone.phone : undefined),
      ...(referrer ? { referrer: { name: referrer.name ?? '', code: referrer.code } } : {}),
      vouchers: vouchers.filter((v) => v.expiresAt > now).map((v) => ({ code: v.code, label: v.reward.label, expiresAt: v.expiresAt })),
    };
    if (role === 'owner') {
      const [journey, last] = await Promise.all([
        readJourney(models, customer, now),
        models.Visit.findOne({ customerId: customer._id }).sort({ at: -1, _id: -1 }).lean(),
      ]);
      card.journey = journey;
      if (last && !last.undoneAt) card.lastVisit = { at: last.at, points: last.points, ...(last.amount == null ? {} : { amount: last.amount }) };
    }
    return { ok: true, card };
  }

  /** At start: records from before the name search get their search keys (written by the customer records). */
  const fillSearchKeys = () => ctx.records.fillNameWords();

  return { list, card, fillSearchKeys };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
