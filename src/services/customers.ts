import type { Types } from 'mongoose';
import { normalizeCode, PERSONAL_CODE_LENGTH, withUniqueCode } from '../domain/codes.js';
import { channelOf } from '../domain/identity.js';
import { cleanDisplayName } from '../domain/names.js';
import { looksLikePhone, normalizePhone } from '../domain/phone.js';
import type { Customer } from '../db/models/customer.js';
import type { Locale } from '../i18n.js';
import type { Models } from '../db/models/index.js';
import type { Access, Actor } from './access.js';
import type { CustomerRecords } from './customer-records.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { Outbox } from './outbox.js';
import { createPhoneBook, type PhoneLookup } from './phones.js';

export interface JoinInput {
  /** `telegram:<id>` or `zalo:<id>`. */
  identity: string;
  /** The private chat id to send to on that channel. */
  chatId: string;
  displayName?: string;
  locale: Locale;
}

/** The customer with the actor for this identity: loaded once per message, handed to every later call. */
export type JoinResult = { ok: true; customer: Customer; created: boolean; actor: Actor };

export type { SetPhoneResult } from './phones.js';
export type CustomerLookup = PhoneLookup;

export interface CustomerServiceDeps {
  models: Pick<Models, 'Customer' | 'ChannelIdentity' | 'PhoneNumber' | 'PhoneHistory'>;
  records: CustomerRecords;
  outbox: Outbox;
  access: Pick<Access, 'grant'>;
  now: () => Date;
}

export function createCustomerService(ctx: CustomerServiceDeps) {
  const { models, records } = ctx;
  const phones = createPhoneBook(ctx);

  /**
   * The customer record for an identity's customer id, created when missing (a first message,
   * or a crash between claiming the identity and writing the record, healed now). Nameless:
   * the name is kept from the agreement to the privacy notice on (see services/consent.ts).
   */
  async function ensureCustomerDocument(customerId: Types.ObjectId, input: JoinInput): Promise<{ customer: Customer; created: boolean }> {
    return withUniqueCode(
      PERSONAL_CODE_LENGTH,
      // A duplicate key is a code collision, or a concurrent join that inserted this customer
      // first: the next try with another code finds that record.
      (code) => records.upsertForIdentity(customerId, { code, name: '', locale: input.locale, lastIdentity: input.identity }),
      isDuplicateKey,
    );
  }

  /**
   * Finds or creates the customer behind a channel identity. Idempotent and race-safe: the
   * identity is claimed first (unique index), so concurrent first messages of one person agree
   * on one customer. A known person costs two commands (their identity, their record). Before
   * the person agreed to the notice only the identity, chat and language are kept: the chat
   * app's name is stored for people who agreed and for the shop's staff and owners.
   */
  async function join(raw: JoinInput): Promise<JoinResult> {
    // Names are shown to other people: cleaned once where they enter, so every later use is safe.
    const input = { ...raw, displayName: cleanDisplayName(raw.displayName) };
    const channel = channelOf(input.identity);
    const seen = await records.seeIdentity(input.identity, input.chatId);
    const known = seen ? await records.useIdentity(seen.customerId, input.identity) : undefined;
    const customerId =
      seen?.customerId ?? (await records.claimIdentity({ identity: input.identity, channel, chatId: input.chatId, displayName: '' }));
    const { customer, created } = known ? { customer: known, created: false } : await ensureCustomerDocument(customerId, input);
    if (customer.consentVersion || customer.role !== 'customer') await keepName(customer, input.identity, input.displayName, seen?.displayName);
    // The role comes with the person, so the staff and owner use cases of this update need no second query.
    return { ok: true, customer, created, actor: ctx.access.grant({ customerId, identity: input.identity }, customer.role) };
  }

  /**
   * The name of a person whose name the program keeps: the chat's name on the identity when it
   * changed, and on the record when it has none (owners from OWNER_IDS are created before they
   * chat). Names stored before names were cleaned are cleaned the next time their person writes.
   */
  async function keepName(customer: Customer, identity: string, displayName: string | undefined, stored: string | undefined): Promise<void> {
    if (displayName && displayName !== stored) await records.nameIdentity(identity, displayName);
    const cleaned = cleanDisplayName(customer.name);
    if (customer.name && cleaned !== customer.name) {
      await records.rename(customer._id, customer.name, cleaned ?? '');
      customer.name = cleaned ?? '';
    }
    if (!customer.name && displayName) {
      await records.rename(customer._id, '', displayName);
      customer.name = displayName;
    }
  }

  /** The customer with this personal code or phone number, as staff type it, or why there is none. */
  async function lookup(query: string): Promise<CustomerLookup> {
    if (looksLikePhone(query)) {
      const normalized = normalizePhone(query);
      return normalized.ok ? phones.findByPhone(normalized.phone) : { ok: false, reason: 'not_found' };
    }
    const code = normalizeCode(query);
    const customer = code ? await models.Customer.findOne({ code }).lean<Customer>() : null;
    return customer ? { ok: true, customer } : { ok: false, reason: 'not_found' };
  }

  async function getById(customerId: Types.ObjectId): Promise<Customer | undefined> {
    return (await models.Customer.findById(customerId).lean<Customer>()) ?? undefined;
  }

  async function findByIdentity(identity: string): Promise<Customer | undefined> {
    const link = await models.ChannelIdentity.findOne({ identity }).lean();
    return link ? getById(link.customerId) : undefined;
  }

  /** Deletes an account whose only chat moved to another account (it had no history of its own). */
  async function discard(customerId: Types.ObjectId): Promise<void> {
    await phones.forget(customerId);
    await records.remove(customerId);
  }

  return { join, setLocale: records.setLocale, setPhone: phones.setPhone, lookup, getById, findByIdentity, discard, erasePhones: phones.erase };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
