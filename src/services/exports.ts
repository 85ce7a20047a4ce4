import type { Types } from 'mongoose';
import { EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS } from '../domain/customer-csv.js';
import { cellText, exportFileName, periodBounds, thisMonth, type Cell, type ExportKind, type ExportPeriod } from '../domain/csv-export.js';
import { nationalPhone } from '../domain/phone.js';
import { findEach } from '../db/each-value.js';
import { findTier, tierName } from '../domain/loyalty.js';
import type { Models } from '../db/models/index.js';
import type { Locale } from '../i18n.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';

export type ExportsDeps = Pick<ServicePieces, 'access' | 'audit' | 'now' | 'timezone' | 'program' | 'logger'> & {
  models: Pick<Models, 'Customer' | 'Visit' | 'Voucher' | 'Referral' | 'AuditLog'>;
};

/** What an export hands the page: the file's name, its header and its rows, read from a database cursor as they are pulled. */
export interface ExportFile {
  fileName: string;
  columns: readonly string[];
  /** Cells as text: dates in the shop's time zone, text neutralised against formulas (see domain/csv-export.ts). */
  rows: AsyncIterable<string[]>;
}

export type ExportResult = { ok: true; file: ExportFile } | { ok: false; reason: 'not_allowed' | 'bad_period' };

/** Documents fetched per round: one batch of name lookups (by id, one equality each: FerretDB) per batch. */
const BATCH = 500;
/** Unknown people in one batch past which the export reads every customer's code and name at once (see peopleBook). */
const LOOKUPS_BEFORE_SCAN = 50;

/** Machine headers, stable across languages (the page explains them in the owner's language); customers' are the import's. */
export const EXPORT_COLUMNS: Record<ExportKind, readonly string[]> = {
  customers: [...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS],
  visits: ['at', 'customer_code', 'customer_name', 'first', 'amount', 'points', 'referred', 'staff_code', 'staff_name', 'undone_at'],
  vouchers: ['code', 'customer_code', 'customer_name', 'cause', 'reward', 'status', 'issued_at', 'expires_at', 'redeemed_at', 'cancelled_at'],
  referrals: ['joined_at', 'referrer_code', 'referrer_name', 'friend_code', 'friend_name', 'via', 'status', 'converted_at'],
  audit: ['at', 'kind', 'actor_code', 'actor_name', 'action', 'outcome', 'target_code', 'target_name', 'attempts', 'details'],
};

interface Person {
  code: string;
  name: string;
}

/**
 * CSV exports for the owner. Each export streams from a cursor in batches of BATCH, so a
 * 100,000-row file never sits in memory; the reader pulls (backpressure) and a reader that
 * stops (the browser went away) closes the cursor. Erased customers appear only under their
 * pseudonymous code (their record keeps no name or phone). Each export is audited once it ends,
 * with its period and how many rows it gave (`interrupted` when the reader stopped early).
 */
export function createExportService(ctx: ExportsDeps) {
  const { models, access, audit, timezone, program } = ctx;

  /**
   * Code and name of customers (and staff) by id, for the rest of the export. A small export
   * looks its people up one by one (one equality each: FerretDB scans `$in`); once a batch names
   * more than LOOKUPS_BEFORE_SCAN people not yet known, one projected read of every customer is
   * far cheaper than thousands of lookups (a 20,000-customer visits export ran at 176 rows/s
   * looking each up), so the book loads them all, once.
   */
  function peopleBook() {
    const known = new Map<string, Person>();
    let everyone = false;
    async function load(ids: Array<Types.ObjectId | null | undefined>): Promise<void> {
      if (everyone) return;
      const missing = [...new Set(ids.filter((id): id is Types.ObjectId => !!id).map(String))].filter((id) => !known.has(id));
      if (!missing.length) return;
      if (missing.length > LOOKUPS_BEFORE_SCAN) {
        for await (const person of models.Customer.find({}, { code: 1, name: 1 }).lean().cursor()) {
          known.set(String(person._id), { code: person.code, name: person.name ?? '' });
        }
        everyone = true;
        return;
      }
      const found = await findEach(missing, (id) => models.Customer.find({ _id: id }, { code: 1, name: 1 }).lean());
      for (const person of found) known.set(String(person._id), { code: person.code, name: person.name ?? '' });
    }
    const of = (id: Types.ObjectId | null | undefined) => (id ? known.get(String(id)) : undefined);
    return { load, of };
  }

  /** The rows of `cursor` in batches; `toRows` turns a batch into rows (after its lookups). Closes the cursor however it ends. */
  async function* batched<T>(cursor: AsyncIterable<T> & { close(): Promise<unknown> }, toRows: (docs: T[]) => Promise<Cell[][]>) {
    let batch: T[] = [];
    try {
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length < BATCH) continue;
        yield* await toRows(batch);
        batch = [];
      }
      if (batch.length) yield* await toRows(batch);
    } finally {
      await cursor.close();
    }
  }

  function customers(bounds: { start: Date; end: Date } | undefined, locale: Locale): AsyncIterable<Cell[]> {
    // A tier no longer in the rules keeps its stored id as its name.
    const tierLabel = (id: string) => {
      const tier = findTier(program.tiers, id);
      return tier ? tierName(tier, locale) : id;
    };
    const book = peopleBook();
    const filter = bounds ? { createdAt: { $gte: bounds.start, $lt: bounds.end } } : {};
    const cursor = models.Customer.find(filter).sort({ _id: 1 }).lean().cursor();
    return batched(cursor, async (docs) => {
      await book.load(docs.map((c) => c.referrerId));
      return docs.map((c) => {
        const erased = c.erasure === 'done';
        const birthday =
          c.birthDay && c.birthMonth
            ? [c.birthDay, c.birthMonth, c.birthYear]
                .filter(Boolean)
                .map((n) => String(n).padStart(2, '0'))
                .join('/')
            : '';
        return [
          erased ? '' : c.name,
          !erased && c.phone ? nationalPhone(c.phone) : '',
          c.points,
          (c.visitCount ?? 0) + (c.importedVisits ?? 0),
          erased ? '' : birthday,
          c.code,
          c.tier ? (findTier(program.tiers, c.tier)?.id ?? c.tier) : '',
          c.tier ? tierLabel(c.tier) : '',
          c.balance ?? c.points,
          c.createdAt,
          c.firstVisitAt,
          book.of(c.referrerId)?.code,
          c.locale,
          c.marketingConsent === true,
          erased,
        ];
      });
    });
  }

  function visits(bounds: { start: Date; end: Date }): AsyncIterable<Cell[]> {
    const book = peopleBook();
    const cursor = models.Visit.find({ at: { $gte: bounds.start, $lt: bounds.end } })
      .sort({ at: 1 })
      .lean()
      .cursor();
    return batched(cursor, async (docs) => {
      await book.load(docs.flatMap((v) => [v.customerId, v.staffId]));
      return docs.map((v) => [
        v.at,
        book.of(v.customerId)?.code,
        book.of(v.customerId)?.name,
        v.first,
        v.amount,
        v.points,
        v.referred === true,
        book.of(v.staffId)?.code,
        book.of(v.staffId)?.name,
        v.undoneAt,
      ]);
    });
  }

  function vouchers(bounds: { start: Date; end: Date }, locale: Locale): AsyncIterable<Cell[]> {
    const book = peopleBook();
    const cursor = models.Voucher.find({ issuedAt: { $gte: bounds.start, $lt: bounds.end } })
      .sort({ issuedAt: 1 })
      .lean()
      .cursor();
    return batched(cursor, async (docs) => {
      await book.load(docs.map((v) => v.customerId));
      return docs.map((v) => [
        v.code,
        book.of(v.customerId)?.code,
        book.of(v.customerId)?.name,
        v.cause,
        v.reward.label[locale],
        v.status,
        v.issuedAt,
        v.expiresAt,
        v.redeemedAt,
        v.cancelledAt,
      ]);
    });
  }

  function referrals(bounds: { start: Date; end: Date }): AsyncIterable<Cell[]> {
    const book = peopleBook();
    const cursor = models.Referral.find({ joinedAt: { $gte: bounds.start, $lt: bounds.end } })
      .sort({ joinedAt: 1 })
      .lean()
      .cursor();
    return batched(cursor, async (docs) => {
      await book.load(docs.flatMap((r) => [r.referrerId, r.friendId]));
      return docs.map((r) => [
        r.joinedAt,
        book.of(r.referrerId)?.code,
        book.of(r.referrerId)?.name,
        book.of(r.friendId)?.code,
        book.of(r.friendId)?.name,
        r.via,
        r.status,
        r.convertedAt,
      ]);
    });
  }

  function auditRows(bounds: { start: Date; end: Date }): AsyncIterable<Cell[]> {
    const book = peopleBook();
    const cursor = models.AuditLog.find({ at: { $gte: bounds.start, $lt: bounds.end } })
      .sort({ at: 1 })
      .lean()
      .cursor();
    return batched(cursor, async (docs) => {
      await book.load(docs.flatMap((a) => [a.actorId, a.targetId]));
      return docs.map((a) => {
        // The log's details never hold whole phone numbers (audit.ts masks them when writing).
        const details = (a.kind === 'refused' ? a.actions : a.details) as Record<string, unknown> | undefined;
        return [
          a.at,
          a.kind,
          book.of(a.actorId)?.code,
          book.of(a.actorId)?.name,
          a.action,
          a.outcome,
          book.of(a.targetId)?.code,
          book.of(a.targetId)?.name,
          a.count,
          details && Object.keys(details).length ? JSON.stringify(details) : '',
        ];
      });
    });
  }

  /**
   * An export of `kind` for `period` (customers also `all`), in `locale` for the reward labels.
   * Only owners export; the rows are read as the caller pulls them.
   */
  async function open(actor: Actor, kind: ExportKind, period: ExportPeriod, locale: Locale): Promise<ExportResult> {
    const allowed = await access.authorize(actor, 'export', ['owner']);
    if (!allowed.ok) return allowed;
    const bounds = period === 'all' ? undefined : periodBounds(period, timezone);
    if (period !== 'all' && !bounds) return { ok: false, reason: 'bad_period' };
    if (!bounds && kind !== 'customers') return { ok: false, reason: 'bad_period' };
    const source =
      kind === 'customers'
        ? customers(bounds, locale)
        : kind === 'visits'
          ? visits(bounds!)
          : kind === 'vouchers'
            ? vouchers(bounds!, locale)
            : kind === 'referrals'
              ? referrals(bounds!)
              : auditRows(bounds!);
    const owner = allowed.actor;
    async function* counted(): AsyncGenerator<string[]> {
      let rows = 0;
      let complete = false;
      try {
        for await (const row of source) {
          rows += 1;
          yield row.map((cell) => cellText(cell, timezone));
        }
        complete = true;
      } finally {
        // The days as two fields: joined in one string, the log's phone masking takes them for a number.
        const days = period === 'all' ? { period: 'all' } : { from: period.from, to: period.to };
        await audit
          .action(owner, 'export', complete ? 'exported' : 'interrupted', undefined, { kind, ...days, rows })
          .catch((error: unknown) => ctx.logger.error({ err: error, kind }, 'the export could not be audited'));
      }
    }
    return { ok: true, file: { fileName: exportFileName(kind, period, ctx.now(), timezone), columns: EXPORT_COLUMNS[kind], rows: counted() } };
  }

  /** The form's period before the owner picks one: this month so far, in the shop's time zone. */
  const defaultPeriod = () => thisMonth(ctx.now(), timezone);

  return { open, defaultPeriod };
}

export type ExportService = ReturnType<typeof createExportService>;
