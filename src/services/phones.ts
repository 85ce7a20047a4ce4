import type { Types } from 'mongoose';
import type { Customer } from '../db/models/customer.js';
import { normalizePhone } from '../domain/phone.js';
import type { Models } from '../db/models/index.js';
import type { CustomerRecords } from './customer-records.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { Outbox } from './outbox.js';

export interface PhoneBookDeps {
  models: Pick<Models, 'Customer' | 'PhoneNumber' | 'PhoneHistory'>;
  records: CustomerRecords;
  outbox: Outbox;
  now: () => Date;
}

export type SetPhoneResult = { ok: true; phone: string; verified: boolean } | { ok: false; reason: 'invalid_phone' };

export type PhoneLookup = { ok: true; customer: Customer } | { ok: false; reason: 'not_found' | 'ambiguous_phone' };

/**
 * Phone numbers on accounts. A number is verified only when the chat app vouched for it (the
 * person's own Telegram contact); a typed number is stored unverified, may be on several
 * accounts and never blocks a verified claim: the verified holder takes the number, the typed
 * copies are dropped and their typists told neutrally. Part of the customer service (it writes
 * the customer's phone fields, PhoneNumber and PhoneHistory).
 */
export function createPhoneBook(ctx: PhoneBookDeps) {
  const { models, records } = ctx;

  /** Every number ever attached to an account, for the fraud rules; `verified` only ever rises. */
  async function remember(phone: string, customerId: Types.ObjectId, verified: boolean): Promise<void> {
    const write = () =>
      models.PhoneHistory.updateOne(
        { phone, customerId },
        verified ? { $setOnInsert: { at: ctx.now() }, $set: { verified: true } } : { $setOnInsert: { at: ctx.now(), verified: false } },
        { upsert: true },
      );
    // Two concurrent first attachments of one pair: the loser's upsert collides, and then updates.
    await write().catch(async (error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
      await write();
    });
  }

  /** Makes `customerId` the verified holder of `phone`, whoever held it before. */
  async function claimVerified(phone: string, customerId: Types.ObjectId): Promise<void> {
    try {
      await models.PhoneNumber.create({ phone, customerId });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Telegram ties a number to one account at a time: a new verified holder means it moved.
      await models.PhoneNumber.updateOne({ phone }, { $set: { customerId } });
    }
  }

  /** Drops the number from every other account that has it, telling each one without naming anybody. */
  async function dropOtherCopies(phone: string, keeperId: Types.ObjectId): Promise<void> {
    const others = await models.Customer.find({ phone, _id: { $ne: keeperId } }, { _id: 1 }).lean();
    for (const other of others) {
      if (await records.dropPhone(other._id, phone)) {
        await ctx.outbox.record(`phone_removed:${String(other._id)}:${String(keeperId)}`, 'phone_removed', other._id, {
          phoneEnd: phone.slice(-3),
        });
      }
    }
  }

  /**
   * Stores a number on the account (normalised to +84). The answer to a typed number is the
   * same whether or not anybody else has it.
   */
  async function setPhone(customerId: Types.ObjectId, raw: string, options: { verified?: boolean } = {}): Promise<SetPhoneResult> {
    const normalized = normalizePhone(raw);
    if (!normalized.ok) return normalized;
    const { phone } = normalized;
    const verified = options.verified === true;
    const before = await models.Customer.findById(customerId, { phone: 1, phoneVerified: 1 }).lean();
    // Typing the number one already verified keeps it verified.
    if (!verified && before?.phone === phone && before.phoneVerified) return { ok: true, phone, verified: true };
    if (verified) await claimVerified(phone, customerId);
    await records.setPhone(customerId, phone, verified);
    if (before?.phone && before.phone !== phone) await models.PhoneNumber.deleteOne({ phone: before.phone, customerId });
    await remember(phone, customerId, verified);
    if (verified) await dropOtherCopies(phone, customerId);
    return { ok: true, phone, verified };
  }

  /** Who staff mean by a number: its verified holder, else the one account that typed it. */
  async function findByPhone(phone: string): Promise<PhoneLookup> {
    const claim = await models.PhoneNumber.findOne({ phone }, { customerId: 1 }).lean();
    // A claim counts only while its customer still has the number verified (older data held typed claims too).
    const holder = claim ? await models.Customer.findOne({ _id: claim.customerId, phone, phoneVerified: true }).lean<Customer>() : null;
    if (holder) return { ok: true, customer: holder };
    const typed = await models.Customer.find({ phone, phoneVerified: { $ne: true } })
      .limit(2)
      .lean<Customer[]>();
    const [only] = typed;
    if (only && typed.length === 1) return { ok: true, customer: only };
    return { ok: false, reason: typed.length > 1 ? 'ambiguous_phone' : 'not_found' };
  }

  /** Forgets the verified numbers of an account that is going away. */
  async function forget(customerId: Types.ObjectId): Promise<void> {
    await models.PhoneNumber.deleteMany({ customerId });
  }

  /** Erasure: every number the person ever had on the account, verified or typed. */
  async function erase(customerId: Types.ObjectId): Promise<void> {
    await models.PhoneNumber.deleteMany({ customerId });
    await models.PhoneHistory.deleteMany({ customerId });
  }

  return { setPhone, findByPhone, forget, erase };
}
