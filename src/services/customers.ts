import { Types } from 'mongoose';
import { normalizeCode, PERSONAL_CODE_LENGTH, withUniqueCode } from '../domain/codes.js';
import { channelOf } from '../domain/identity.js';
import { cleanDisplayName } from '../domain/names.js';
import { looksLikePhone, normalizePhone } from '../domain/phone.js';
import type { Customer } from '../db/models/customer.js';
import type { Locale } from '../i18n.js';
import { isDuplicateKey, type Actor, type ServiceContext } from './context.js';
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

export function createCustomerService(ctx: ServiceContext) {
  const { models } = ctx;
  const phones = createPhoneBook(ctx);

  /**
   * Upserts the customer record for an identity's customer id. The identity is claimed
   * first (unique index), so concurrent joins of one person agree on one customer, and a
   * crash between the two writes heals on the next join.
   */
  async function ensureCustomerDocument(customerId: Types.ObjectId, input: JoinInput): Promise<boolean> {
    return withUniqueCode(
      PERSONAL_CODE_LENGTH,
      async (code) => {
        try {
          const result = await models.Customer.updateOne(
            { _id: customerId },
            {
              $setOnInsert: {
                code,
                name: input.displayName ?? '',
                locale: input.locale,
                role: 'customer',
                lastIdentity: input.identity,
              },
            },
            { upsert: true },
          );
          return result.upsertedCount === 1;
        } catch (error) {
          // A concurrent join inserted this customer first; otherwise the code collided.
          if (isDuplicateKey(error) && (await models.Customer.exists({ _id: customerId }))) return false;
          throw error;
        }
      },
      isDuplicateKey,
    );
  }

  /** Finds or creates the customer behind a channel identity. Idempotent and race-safe. */
  async function join(raw: JoinInput): Promise<JoinResult> {
    // Names are shown to other people: cleaned once where they enter, so every later use is safe.
    const input = { ...raw, displayName: cleanDisplayName(raw.displayName) };
    const channel = channelOf(input.identity);
    const seen = await models.ChannelIdentity.findOneAndUpdate(
      { identity: input.identity },
      { $set: { lastSeenAt: ctx.now(), chatId: input.chatId, ...(input.displayName ? { displayName: input.displayName } : {}) } },
      { returnDocument: 'after' },
    ).lean();
    let customerId = seen?.customerId;
    if (!customerId) {
      try {
        const claimed = await models.ChannelIdentity.create({
          identity: input.identity,
          customerId: new Types.ObjectId(),
          channel,
          chatId: input.chatId,
          displayName: input.displayName ?? '',
          lastSeenAt: ctx.now(),
        });
        customerId = claimed.customerId;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const winner = await models.ChannelIdentity.findOne({ identity: input.identity }).lean();
        if (!winner) throw error;
        customerId = winner.customerId;
      }
    }
    const created = await ensureCustomerDocument(customerId, input);
    const customer = await models.Customer.findOneAndUpdate(
      { _id: customerId },
      { $set: { lastIdentity: input.identity } },
      { returnDocument: 'after' },
    ).lean<Customer>();
    if (!customer) throw new Error(`customer ${String(customerId)} vanished during join`);
    // Owners from OWNER_IDS are created before they ever chat: their name arrives with their first message.
    // Names stored before names were cleaned are cleaned the next time their person writes.
    const cleaned = cleanDisplayName(customer.name);
    if (customer.name && cleaned !== customer.name) {
      await models.Customer.updateOne({ _id: customerId, name: customer.name }, { $set: { name: cleaned ?? '' } });
      customer.name = cleaned ?? '';
    }
    if (!customer.name && input.displayName) {
      await models.Customer.updateOne({ _id: customerId, name: '' }, { $set: { name: input.displayName } });
      customer.name = input.displayName;
    }
    return { ok: true, customer, created, actor: { customerId, identity: input.identity } };
  }

  async function setLocale(customerId: Types.ObjectId, locale: Locale): Promise<void> {
    await models.Customer.updateOne({ _id: customerId }, { $set: { locale, localeChosen: true } });
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

  return { join, setLocale, setPhone: phones.setPhone, lookup, getById, findByIdentity };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
