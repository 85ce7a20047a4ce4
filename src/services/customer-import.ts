import { Types } from 'mongoose';
import { PERSONAL_CODE_LENGTH, withUniqueCode } from '../domain/codes.js';
import type { ImportRow } from '../domain/customer-csv.js';
import { normalizePhone } from '../domain/phone.js';
import type { Customer } from '../db/models/customer.js';
import type { Models } from '../db/models/index.js';
import type { Locale } from '../i18n.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { ConsentService } from './consent.js';
import type { CustomerService } from './customers.js';
import { findEach } from '../db/each-value.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { PointsLedger } from './points.js';
import type { ReferralService } from './referrals.js';

/** `created`: a new record; `marked`: a customer who chats already, now known as a regular; `already`: imported before. */
export type ImportOutcome = 'created' | 'marked' | 'already' | 'deleted';

export type JoinExistingResult =
  { ok: true; name: string; points: number } | { ok: false; reason: 'unverified' | 'invalid_phone' | 'not_imported' | 'has_chat' | 'has_history' };

export type CustomerImportDeps = Pick<ServicePieces, 'now' | 'claims' | 'records' | 'audit'> & {
  models: Pick<Models, 'Customer' | 'ChannelIdentity' | 'PhoneNumber' | 'Referral' | 'Voucher'>;
};

const importKey = (phone: string) => `import:${phone}`;
/** What stays of an imported number once its person erased their data: a salted hash, so the list does not bring them back. */
const erasedKey = (hash: string) => `import_erased:${hash}`;

/**
 * The shop's existing customers. The phone number is the key: `import:<phone>` is a claim
 * naming the customer the number was imported to, and the cause key of the one ledger entry
 * with the imported points, so a second run of the same file changes nothing. An imported
 * customer joins their chat only when the chat app vouches for the number (a Telegram contact
 * of the person themselves): a typed number is a claim anybody can make.
 */
export function createCustomerImportService(
  ctx: CustomerImportDeps,
  customers: CustomerService,
  points: PointsLedger,
  referrals: ReferralService,
  consent: Pick<ConsentService, 'carry'>,
) {
  const { models, claims, records } = ctx;

  /** The customer who chats already with this number verified, if any: the import adds to them. */
  async function verifiedHolder(phone: string): Promise<Types.ObjectId | undefined> {
    const claim = await models.PhoneNumber.findOne({ phone }, { customerId: 1 }).lean();
    const holder = claim ? await models.Customer.exists({ _id: claim.customerId, phone, phoneVerified: true }) : null;
    return holder ? claim?.customerId : undefined;
  }

  /** Imports one checked row; safe to repeat (and to resume after a cut-off: each step is keyed). */
  async function importRow(row: ImportRow, locale: Locale): Promise<ImportOutcome> {
    const key = importKey(row.phone);
    const done = `import_done:${row.phone}`;
    if (await claims.holder(erasedKey(await referrals.hashVisitor(`phone:${row.phone}`)))) return 'deleted';
    const held = await claims.holder(key);
    const target = held?.by ? new Types.ObjectId(held.by) : ((await verifiedHolder(row.phone)) ?? new Types.ObjectId());
    // Two runs at once: the one that took the number imports it, the other reads its claim.
    if (!held && !(await claims.take(key, String(target)))) return importRow(row, locale);

    let outcome: ImportOutcome;
    if (await models.Customer.exists({ _id: target })) {
      outcome = (await records.markImported(target, { visits: row.visits, birthday: row.birthday })) ? 'marked' : 'already';
    } else {
      // Imported before, then the person deleted their data: the shop's list does not bring them back.
      if (await claims.holder(done)) return 'deleted';
      await withUniqueCode(
        PERSONAL_CODE_LENGTH,
        (code) => records.createImported(target, { code, name: row.name, phone: row.phone, locale, visits: row.visits, birthday: row.birthday }),
        isDuplicateKey,
      );
      outcome = 'created';
    }
    const balance = await points.add(target, row.points, 'import', key);
    // The tier the imported points reach is stored without a message: nothing happened today.
    await points.settleTier(target, key, () => Promise.resolve(), { points: balance });
    await claims.take(done);
    return outcome;
  }

  /**
   * What `importRow` would do with each row, without writing anything (the back office's
   * preview): the same checks in the same order, read only; a few rows at a time (FerretDB
   * answers equality lookups one by one).
   */
  async function plan(rows: ImportRow[]): Promise<ImportOutcome[]> {
    const planRow = async (row: ImportRow): Promise<ImportOutcome> => {
      if (await claims.holder(erasedKey(await referrals.hashVisitor(`phone:${row.phone}`)))) return 'deleted';
      const held = await claims.holder(importKey(row.phone));
      const target = held?.by ? new Types.ObjectId(held.by) : await verifiedHolder(row.phone);
      const customer = target ? await models.Customer.findById(target, { importedAt: 1 }).lean() : null;
      if (customer) return customer.importedAt ? 'already' : 'marked';
      return target && (await claims.holder(`import_done:${row.phone}`)) ? 'deleted' : 'created';
    };
    // Rows of one file have distinct numbers (the reader reports repeats): the number names the row.
    const byPhone = new Map(rows.map((row) => [row.phone, row]));
    return findEach([...byPhone.keys()], async (phone) => [await planRow(byPhone.get(phone)!)]);
  }

  /** Imports the rows one after another (a shop's list is small; FerretDB gains nothing from parallel writes); `onRow` after each. */
  async function importAll(rows: ImportRow[], locale: Locale, onRow: () => void = () => undefined): Promise<Record<ImportOutcome, number>> {
    const counts: Record<ImportOutcome, number> = { created: 0, marked: 0, already: 0, deleted: 0 };
    for (const row of rows) {
      counts[await importRow(row, locale)]++;
      onRow();
    }
    return counts;
  }

  /** Whether the chat's own account has anything it would lose (a pending referral as a friend is not its own). */
  async function hasOwnHistory(customer: Customer): Promise<boolean> {
    if (customer.firstVisitAt || customer.points > 0 || customer.role !== 'customer' || customer.importedAt) return true;
    const [referrals, vouchers] = await Promise.all([
      models.Referral.exists({ referrerId: customer._id }),
      models.Voucher.exists({ customerId: customer._id }),
    ]);
    return !!referrals || !!vouchers;
  }

  /**
   * The person shared a number in their chat: when the app vouched for it and the shop imported
   * that number to a record without a chat, the chat moves to that record (its points and
   * visits), the chat's own new account is discarded, and a referral it was attributed through a
   * link is withdrawn. The number is then stored verified on the imported record.
   */
  async function joinExisting(actor: Actor, raw: string, verified: boolean): Promise<JoinExistingResult> {
    if (!verified) return { ok: false, reason: 'unverified' };
    const normalized = normalizePhone(raw);
    if (!normalized.ok) return { ok: false, reason: 'invalid_phone' };
    const { phone } = normalized;
    const held = await claims.holder(importKey(phone));
    const importedId = held?.by ? new Types.ObjectId(held.by) : undefined;
    if (!importedId || importedId.equals(actor.customerId)) return { ok: false, reason: 'not_imported' };
    const [imported, own] = await Promise.all([customers.getById(importedId), customers.getById(actor.customerId)]);
    if (!imported || !own) return { ok: false, reason: 'not_imported' };
    if (await models.ChannelIdentity.exists({ customerId: importedId })) return { ok: false, reason: 'has_chat' };
    if (await hasOwnHistory(own)) return { ok: false, reason: 'has_history' };
    // Two chats vouching for one number at once (it moved between SIMs): one of them joins.
    if (!(await claims.takeOrHold(`import_join:${String(importedId)}`, String(actor.customerId)))) return { ok: false, reason: 'has_chat' };

    await records.moveIdentity(actor.identity, own._id, importedId);
    await records.useIdentity(importedId, actor.identity);
    if (own.localeChosen) await records.setLocale(importedId, own.locale);
    await consent.carry(own, importedId);
    const withdrawn = await referrals.withdrawForExisting(own._id);
    if (!(await models.ChannelIdentity.exists({ customerId: own._id }))) await customers.discard(own._id);
    await customers.setPhone(importedId, phone, { verified: true });
    await ctx.audit.action({ ...actor, customerId: importedId }, 'import_join', 'joined', importedId, { referralWithdrawn: withdrawn });
    return { ok: true, name: imported.name, points: imported.points };
  }

  /**
   * Erasure: the claims of numbers imported to this customer (their keys carry the number)
   * become salted hashes, and `ledgerPhones` (numbers the points ledger gave up) with them.
   */
  async function erase(customerId: Types.ObjectId, ledgerPhones: string[]): Promise<void> {
    const held = await claims.heldBy(String(customerId), 'import:');
    const phones = new Set([...ledgerPhones, ...held.map((key) => key.slice('import:'.length))]);
    for (const phone of phones) {
      await claims.take(erasedKey(await referrals.hashVisitor(`phone:${phone}`)));
      await claims.release(`import_done:${phone}`);
      await claims.release(importKey(phone));
    }
  }

  return { importRow, importAll, plan, joinExisting, erase };
}

export type CustomerImportService = ReturnType<typeof createCustomerImportService>;
